namespace Alds.Engine.Planning;

/// <summary>A plan that cannot be made (unreachable budget, unusable analysis). The message is one line.</summary>
public sealed class PlanningException(string message) : Exception(message);
