namespace Graceful.Drill.Fuzz.Probes;

/// <summary>The probe that puts requests into a moment.</summary>
internal static class MomentProbes
{
    public static MomentProbe Create(Moment moment, ProbeContext context) => moment switch
    {
        Moment.IdleKeepAlive => new IdleKeepAliveProbe(context),
        Moment.BusyKeepAlive => new BusyKeepAliveProbe(context),
        Moment.AcceptQueue => new AcceptQueueProbe(context),
        Moment.MidRequest => new MidRequestProbe(context),
        Moment.StreamOpen => new StreamOpenProbe(context),
        _ => throw new ArgumentOutOfRangeException(nameof(moment), moment, null),
    };
}
