using System.Text;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// A two-element Erlang tuple as io_lib's <c>~p</c> lays it out inside a longer text: on one line when it fits in
/// 80 columns, else broken after the comma with the second element one column right of the brace. RabbitMQ's texts
/// show the break: "invalid expiration '99999999999999999999999': {value_too_large,\n" then the number, indented
/// (observed on the reference broker). Columns count bytes, as Erlang formats binaries byte by byte.
/// </summary>
internal static class ErlangTupleText
{
    // Observed: a tuple starting at column 53 stays on one line up to a 78-column line and breaks at 79.
    private const int LastColumnThatFits = 78;

    /// <param name="textBefore">The text on the same line before the opening brace.</param>
    /// <param name="first">The first element, already printed.</param>
    /// <param name="second">The second element, already printed.</param>
    public static string Format(string textBefore, string first, string second)
    {
        var column = Encoding.UTF8.GetByteCount(textBefore);
        var oneLine = "{" + first + "," + second + "}";
        if (column + Encoding.UTF8.GetByteCount(oneLine) <= LastColumnThatFits)
        {
            return oneLine;
        }

        return "{" + first + ",\n" + new string(' ', column + 1) + second + "}";
    }
}
