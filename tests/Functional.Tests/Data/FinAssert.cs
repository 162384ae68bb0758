using LanguageExt;
using Xunit;

namespace Functional.Tests.Data;

public static class FinAssert
{
    public static T Succ<T>(Fin<T> fin) =>
        fin.Match(x => x, e => throw new Xunit.Sdk.XunitException("expected success, got: " + e.Message));

    /// <summary>The failure's message, after checking it is one line and names every given fragment.</summary>
    public static string Fail<T>(Fin<T> fin, params string[] mustContain)
    {
        string message = fin.Match(
            _ => throw new Xunit.Sdk.XunitException("expected a failure, got success"),
            e => e.Message
        );
        Assert.DoesNotContain('\n', message);
        foreach (string s in mustContain)
            Assert.Contains(s, message, StringComparison.Ordinal);
        return message;
    }
}
