namespace Graceful.TestSupport;

/// <summary>
/// A request handler the test holds open: <see cref="WaitUntilStartedAsync"/> returns once a request is inside it,
/// which then waits until <see cref="Release"/> (answering <c>done</c>) or until its request is aborted (a drain cut).
/// The shape most shutdown tests need: a request provably in flight when the shutdown begins. A handler with a body of
/// its own calls <see cref="MarkStarted"/> instead.
/// </summary>
public sealed class HeldRequest
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The handler to map, e.g. <c>app.MapGet("/slow", held.Handler)</c>.</summary>
    public Func<CancellationToken, Task<string>> Handler => async requestAborted =>
    {
        _started.TrySetResult();
        await _release.Task.WaitAsync(requestAborted);
        return "done";
    };

    /// <summary>For a handler of the test's own: tells the test a request is inside it.</summary>
    public void MarkStarted() => _started.TrySetResult();

    /// <summary>Waits (bounded, 10 s unless <paramref name="within"/>, so a broken app fails the test rather than hanging it) until a request is inside the handler.</summary>
    public Task WaitUntilStartedAsync(TimeSpan? within = null) => _started.Task.WaitAsync(within ?? TimeSpan.FromSeconds(10));

    /// <summary>Lets the held request answer.</summary>
    public void Release() => _release.TrySetResult();
}
