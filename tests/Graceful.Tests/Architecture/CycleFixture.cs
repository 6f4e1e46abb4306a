// Two small sets of folders for FolderLayersTests: one with cycles the rules must report, one without.
#pragma warning disable CA1812, CA1822 // Never instantiated: only their dependencies matter.

namespace Graceful.Tests.Architecture.CycleFixture.Alpha
{
    internal sealed class AlphaPart
    {
        public Beta.BetaPart? Next { get; set; }
    }
}

namespace Graceful.Tests.Architecture.CycleFixture.Beta
{
    internal sealed class BetaPart
    {
        public string Describe(Alpha.AlphaPart part) => part.ToString() ?? "";
    }
}

namespace Graceful.Tests.Architecture.CycleFixture.Deep.One
{
    internal sealed class OnePart
    {
        public Two.TwoPart? Other { get; set; }
    }
}

namespace Graceful.Tests.Architecture.CycleFixture.Deep.Two
{
    internal sealed class TwoPart
    {
        public One.OnePart? Other { get; set; }
    }
}

namespace Graceful.Tests.Architecture.AcyclicFixture.Upper
{
    internal sealed class UpperPart
    {
        public Lower.LowerPart? Below { get; set; }
    }
}

namespace Graceful.Tests.Architecture.AcyclicFixture.Lower
{
    internal sealed class LowerPart
    {
        public int Value { get; set; }
    }
}
