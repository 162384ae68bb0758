namespace Functional.Tests.Data;

/// <summary>A fresh directory under the system temp folder, deleted with everything in it on Dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } =
        Directory
            .CreateDirectory(
                System.IO.Path.Combine(System.IO.Path.GetTempPath(), "functional-data-" + Guid.NewGuid().ToString("N"))
            )
            .FullName;

    public string Write(string name, byte[] bytes)
    {
        string file = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(file, bytes);
        return file;
    }

    public string WriteText(string name, string text) => Write(name, System.Text.Encoding.UTF8.GetBytes(text));

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
