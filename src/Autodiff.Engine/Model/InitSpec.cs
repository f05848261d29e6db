using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary><c>init: { seed }</c>: the seed of the deterministic default initialisation (0 when omitted).</summary>
public sealed record InitSpec(uint Seed, SourceLocation Location);
