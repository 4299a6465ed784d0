namespace OrleansBroker.Hosting.Configuration;

/// <summary>
/// A configuration the broker cannot start with: an unknown key or switch, a malformed line, a bad value.
/// The message is one line meant for the operator (the command line prints it and exits 1).
/// </summary>
public sealed class BrokerConfigurationException(string message) : Exception(message);
