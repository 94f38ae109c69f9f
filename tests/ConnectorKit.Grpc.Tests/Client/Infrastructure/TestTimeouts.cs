namespace ConnectorKit.Grpc.Tests.Client.Infrastructure;

/// <summary>Bounds every await in the client tests, so a hang fails the test instead of stalling the run.</summary>
internal static class TestTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    public static Task<T> WithTimeout<T>(this Task<T> task) => task.WaitAsync(Default);

    public static Task WithTimeout(this Task task) => task.WaitAsync(Default);
}
