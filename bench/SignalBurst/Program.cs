using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

// Prints "ready <pid>", then one line per signal: its name and its arrival at the handler, in ms after the first.
var gate = new Lock();
long first = 0;
var count = 0;
var registrations = new List<PosixSignalRegistration>();
foreach (var signal in (ReadOnlySpan<PosixSignal>)[PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP])
{
    registrations.Add(PosixSignalRegistration.Create(signal, context =>
    {
        context.Cancel = true;
        var now = Stopwatch.GetTimestamp();
        lock (gate)
        {
            first = first == 0 ? now : first;
            count++;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{context.Signal} #{count} +{Stopwatch.GetElapsedTime(first, now).TotalMilliseconds:F3}ms"));
        }
    }));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ready {Environment.ProcessId}"));
Thread.Sleep(Timeout.Infinite);
GC.KeepAlive(registrations);
