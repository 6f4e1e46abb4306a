using System.Runtime.InteropServices;

namespace Graceful.AspNetCore.Platform.Signals;

/// <summary>Something that takes the process's signals while it is attached (the host's lifetime).</summary>
internal interface ISignalReceiver
{
    /// <summary>Handles <paramref name="signal"/>; false if it was not for this receiver.</summary>
    bool OnSignal(PosixSignal signal);
}

/// <summary>
/// The process's registrations for the signals Graceful handles: created when the first host is built and, once the
/// process has been signalled, kept until it exits. A signal with no registration left gets the runtime's default
/// action, which for SIGTERM, SIGINT, SIGQUIT, SIGHUP and SIGUSR1/2 ends the process at once (by the signal, with no
/// exit line and no report): that is how the late SIGTERMs of a burst killed a process whose host had already
/// disposed its registrations. A signal that no attached receiver takes (the host is disposed, or it was for an
/// upgrade nobody listens for yet) is ignored and reported once, on standard error. A process that was never
/// signalled gets its signals back when its last host is disposed (a test host running apps in-process, a tool that
/// builds a host and goes on), so Graceful changes nothing there once it is done.
/// </summary>
internal static class ProcessSignals
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<PosixSignal, PosixSignalRegistration> Registrations = [];
    private static ISignalReceiver[] _receivers = [];
    private static int _ignoredReported;
    private static volatile bool _signalled;

    /// <summary>Registers <paramref name="signals"/> for the rest of the process's life and routes them to <paramref name="receiver"/> until disposed.</summary>
    public static IDisposable Attach(ISignalReceiver receiver, IEnumerable<PosixSignal> signals)
    {
        lock (Gate)
        {
            Keep(signals);
            _receivers = [.. _receivers, receiver];
        }

        return new Attachment(receiver);
    }

    /// <summary>Registers <paramref name="signals"/> (if not yet) for the rest of the process's life.</summary>
    public static void Keep(IEnumerable<PosixSignal> signals)
    {
        lock (Gate)
        {
            foreach (var signal in signals)
            {
                if (!Registrations.ContainsKey(signal))
                {
                    Registrations[signal] = PosixSignalRegistration.Create(signal, OnSignal);
                }
            }
        }
    }

    /// <summary>
    /// True the first time in the process's life: a signal that is ignored is reported once, not per signal
    /// (a burst after the exit would otherwise print a line per signal).
    /// </summary>
    public static bool FirstIgnored() => Interlocked.Exchange(ref _ignoredReported, 1) == 0;

    /// <summary>Names a signal as operators write it (SIGUSR1 and SIGUSR2 have no <see cref="PosixSignal"/> member).</summary>
    public static string Name(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGTERM => "SIGTERM",
        PosixSignal.SIGINT => "SIGINT",
        PosixSignal.SIGQUIT => "SIGQUIT",
        PosixSignal.SIGHUP => "SIGHUP",
        (PosixSignal)10 => "SIGUSR1",
        (PosixSignal)12 => "SIGUSR2",
        _ => signal.ToString(),
    };

    /// <summary>The process was asked to stop or upgrade by a signal: from now on the registrations stay until it exits.</summary>
    public static void MarkSignalled() => _signalled = true;

    private static void OnSignal(PosixSignalContext context)
    {
        // Whatever happens below, the runtime must not apply the default action: Graceful decides when the process ends.
        context.Cancel = true;
        _signalled = true;
        var taken = false;
        foreach (var receiver in Volatile.Read(ref _receivers))
        {
            try
            {
                taken |= receiver.OnSignal(context.Signal);
            }
            catch (Exception ex)
            {
                // An exception here would end the process (the runtime runs this handler on a thread of its own).
                WriteError($"handling {Name(context.Signal)} failed: {ex.GetType().Name}: {ex.Message}");
                taken = true;
            }
        }

        if (!taken && FirstIgnored())
        {
            WriteError($"{Name(context.Signal)} received after the host stopped: ignored, the process is exiting (further signals are ignored silently)");
        }
    }

    /// <summary>A line on standard error, for when the loggers are gone or failing; never throws.</summary>
    public static void WriteError(string message)
    {
        try
        {
            Console.Error.WriteLine($"{AppDomain.CurrentDomain.FriendlyName}: Graceful: {message}");
        }
        catch (Exception)
        {
            // Standard error is closed: there is nowhere left to say it.
        }
    }

    private sealed class Attachment(ISignalReceiver receiver) : IDisposable
    {
        public void Dispose()
        {
            lock (Gate)
            {
                // Array.FindAll, not LINQ: this runs as the process exits, where each first call of LINQ's code counts.
                _receivers = Array.FindAll(_receivers, r => r != receiver);
                if (_receivers.Length == 0 && !_signalled)
                {
                    foreach (var registration in Registrations.Values)
                    {
                        registration.Dispose();
                    }

                    Registrations.Clear();
                }
            }
        }
    }
}
