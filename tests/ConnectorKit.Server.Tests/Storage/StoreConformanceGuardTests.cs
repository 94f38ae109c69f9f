using System.Reflection;
using ConnectorKit.Server.Storage;

namespace ConnectorKit.Server.Tests.Storage;

/// <summary>Fails when a store implementation exists without a test class that runs the conformance suite on it.</summary>
public sealed class StoreConformanceGuardTests
{
    [Fact]
    public void ConformanceSuite_EveryStoreImplementation_HasAConcreteTestClass()
    {
        var implementations = typeof(IConnectorKitStore).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IConnectorKitStore).IsAssignableFrom(t))
            .ToHashSet();

        var tested = typeof(StoreConformanceGuardTests).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.IsSubclassOf(typeof(StoreConformanceTests)))
            .Select(StoreTypeOf)
            .ToHashSet();

        Assert.Contains(typeof(SqliteConnectorKitStore), implementations);
        Assert.Contains(typeof(PostgresConnectorKitStore), implementations);
        Assert.Equal(implementations.OrderBy(t => t.FullName), tested.OrderBy(t => t.FullName));
    }

    /// <summary>The TStore of the StoreFixture&lt;TStore&gt; the test class takes as its class fixture.</summary>
    private static Type StoreTypeOf(Type testClass)
    {
        var fixture = testClass.GetInterfaces()
            .Single(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IClassFixture<>))
            .GetGenericArguments()[0];
        for (var type = fixture; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(StoreFixture<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        throw new InvalidOperationException($"{testClass.Name}'s fixture {fixture.Name} does not derive from StoreFixture<TStore>.");
    }
}
