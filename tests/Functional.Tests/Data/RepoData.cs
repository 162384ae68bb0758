namespace Functional.Tests.Data;

/// <summary>Locates the repository's data/ folder by walking up from the test binaries.</summary>
public static class RepoData
{
    public static string Path(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "data", relative);
            if (File.Exists(candidate) || Directory.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"data/{relative} not found above {AppContext.BaseDirectory}");
    }
}
