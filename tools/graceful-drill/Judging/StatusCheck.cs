using Graceful.Drill.Recording;

namespace Graceful.Drill.Judging;

/// <summary>
/// The responses against <c>--expect-status</c>. Each answered request is <see cref="Expected"/>, <see cref="Declined"/>
/// (a 503 with <c>Retry-After</c> after the first signal: a draining instance turning a request away unrun, safe to
/// retry elsewhere like a refused connect, as Graceful's <c>RejectDuringDrainRetryAfter</c> does) or
/// <see cref="Unexpected"/> (any other status, counted per status in <see cref="UnexpectedByStatus"/>).
/// </summary>
public sealed record StatusCheck(string ExpectStatus, long Answered, long Expected, long Declined, long Unexpected, IReadOnlyDictionary<int, long> UnexpectedByStatus)
{
    public static StatusCheck Of(IReadOnlyList<RequestRecord> answered, ExpectedStatuses expected, double? firstSignalAt)
    {
        long matched = 0, declined = 0;
        var unexpected = new SortedDictionary<int, long>();
        foreach (var request in answered)
        {
            var status = request.Status ?? 0;
            if (expected.Contains(status))
            {
                matched++;
            }
            else if (status == 503 && request.RetryAfter is not null && request.End >= firstSignalAt)
            {
                declined++;
            }
            else
            {
                unexpected[status] = unexpected.GetValueOrDefault(status) + 1;
            }
        }

        return new StatusCheck(expected.Text, answered.Count, matched, declined, unexpected.Values.Sum(), unexpected);
    }

    /// <summary>The unexpected statuses by count, most frequent first: <c>404 ×1013, 500 ×2</c>.</summary>
    public string DescribeUnexpected() =>
        string.Join(", ", UnexpectedByStatus.OrderByDescending(s => s.Value).ThenBy(s => s.Key).Select(s => FormattableString.Invariant($"{s.Key} ×{s.Value}")));
}
