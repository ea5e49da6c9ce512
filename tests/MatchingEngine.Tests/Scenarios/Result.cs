using System.Globalization;
using System.Text;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>What one command did: its reject code, the order id it named, and the events it produced.</summary>
public sealed class Result
{
    public Result(RejectCode code, long orderId, IReadOnlyList<EngineEvent> events)
    {
        Code = code;
        OrderId = orderId;
        Events = events;
    }

    public RejectCode Code { get; }

    /// <summary>The order placed or cancelled (0 for other commands).</summary>
    public long OrderId { get; }

    public IReadOnlyList<EngineEvent> Events { get; }

    public bool Accepted => Code == RejectCode.None;

    /// <summary>The trades, in the order they printed.</summary>
    public IReadOnlyList<EngineEvent> Trades => Of(EventKind.Trade);

    /// <summary>The events of one kind, in order.</summary>
    public IReadOnlyList<EngineEvent> Of(EventKind kind) => Events.Where(e => e.Kind == kind).ToList();

    /// <summary>The index of the first event of a kind, or -1.</summary>
    public int IndexOf(EventKind kind)
    {
        for (var i = 0; i < Events.Count; i++)
        {
            if (Events[i].Kind == kind)
            {
                return i;
            }
        }

        return -1;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{Code} (order {OrderId}), {Events.Count} events:\n");
        foreach (var e in Events)
        {
            sb.Append("    ").Append(e.ToString()).Append('\n');
        }

        return sb.ToString();
    }
}
