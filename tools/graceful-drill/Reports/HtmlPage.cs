using System.Globalization;
using System.Net;
using System.Text;

namespace Graceful.Drill.Reports;

/// <summary>
/// A self-contained HTML page of the drill's reports: its head and style, the title, the verdict, and text added with
/// every string argument HTML-encoded (the service's paths and errors are not markup).
/// </summary>
internal sealed class HtmlPage
{
    private readonly StringBuilder _html = new();

    public HtmlPage(string title) => Add($$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{{title}}: graceful-drill</title>
        <style>
        body { font-family: sans-serif; margin: 24px; color: #222; }
        table { border-collapse: collapse; margin: 8px 0 20px; }
        td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
        th { background: #f4f4f4; } .text { text-align: left; }
        .verdict { font-size: 1.3em; font-weight: bold; padding: 8px 12px; display: inline-block; color: white; }
        .pass { background: #2CA02C; } .fail { background: #D62728; }
        .warning { background: #FFF3CD; border: 1px solid #E0B000; padding: 6px 10px; }
        img { max-width: 100%; border: 1px solid #ddd; }
        .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: middle; }
        </style></head><body>
        <h1>{{title}}</h1>

        """);

    public void Add(FormattableString text) =>
        _html.Append(string.Format(CultureInfo.InvariantCulture, text.Format, [.. text.GetArguments().Select(a => a is string t ? WebUtility.HtmlEncode(t) : a)]));

    /// <summary>PASSED or FAILED, then each reason and the error that stopped the run, a paragraph each.</summary>
    public void Add(Verdict verdict)
    {
        Add($"<p class=\"verdict {(verdict.Passed ? "pass" : "fail")}\">{(verdict.Passed ? "PASSED" : "FAILED")}</p>\n");
        foreach (var reason in verdict.Reasons.Append(verdict.Error ?? "").Where(r => r.Length > 0))
        {
            Add($"<p>{reason}</p>\n");
        }
    }

    /// <summary>The page, closed.</summary>
    public override string ToString() => _html.ToString() + "</body></html>\n";
}
