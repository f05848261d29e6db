using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// <c>schedule:</c> inside the optimizer's arguments: how lr decays with t, the number of
/// completed <c>train_step</c> calls, following PyTorch's closed forms.
/// </summary>
/// <param name="Location">Position of the schedule keyword.</param>
public abstract record ScheduleSpec(SourceLocation Location);

/// <summary><c>step: { step_size, gamma = 0.1 }</c>: lr · gamma^⌊t / step_size⌋.</summary>
public sealed record StepSchedule(int StepSize, double Gamma, SourceLocation Location) : ScheduleSpec(Location);

/// <summary><c>exponential: { gamma }</c>: lr · gamma^t.</summary>
public sealed record ExponentialSchedule(double Gamma, SourceLocation Location) : ScheduleSpec(Location);

/// <summary><c>cosine: { t_max, eta_min = 0 }</c>: eta_min + (lr − eta_min)(1 + cos(π t / t_max)) / 2.</summary>
public sealed record CosineSchedule(int TMax, double EtaMin, SourceLocation Location) : ScheduleSpec(Location);
