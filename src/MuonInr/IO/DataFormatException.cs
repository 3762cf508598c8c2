namespace MuonInr.IO;

/// <summary>A file that is not a valid instance of its format (corrupt, truncated, unsupported), with a message naming the file and the problem.</summary>
public sealed class DataFormatException(string message, Exception? inner = null) : Exception(message, inner);
