using ConnectorKit.Grpc.Server.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Grpc.Tests.Server;

public sealed class ServiceActivatorTests
{
    [Fact]
    public void Create_ScopedService_NewInstancePerRequestScope()
    {
        using var root = new ServiceCollection().AddScoped<Thing>().BuildServiceProvider();
        var activator = new ServiceActivator<Thing>();

        var instances = Enumerable.Range(0, 3).Select(_ =>
        {
            using var scope = root.CreateScope();
            return activator.Create(new DefaultHttpContext { RequestServices = scope.ServiceProvider }).Service;
        }).ToList();

        Assert.Equal(3, instances.Distinct().Count());
    }

    [Fact]
    public void Create_SingletonService_SameInstanceAndScopeNoLongerAskedAfterTwoCalls()
    {
        using var root = new ServiceCollection().AddSingleton<Thing>().BuildServiceProvider();
        var activator = new ServiceActivator<Thing>();
        using var first = root.CreateScope();
        using var second = root.CreateScope();
        var one = activator.Create(new DefaultHttpContext { RequestServices = first.ServiceProvider }).Service;
        var two = activator.Create(new DefaultHttpContext { RequestServices = second.ServiceProvider }).Service;

        var three = activator.Create(new DefaultHttpContext { RequestServices = new ThrowingProvider() });

        Assert.Same(one, two);
        Assert.Same(one, three.Service);
        Assert.False(three.Created);
    }

    [Fact]
    public void Create_UnregisteredService_CreatedPerCallAndMarkedForRelease()
    {
        using var root = new ServiceCollection().BuildServiceProvider();
        var activator = new ServiceActivator<Thing>();

        var first = activator.Create(new DefaultHttpContext { RequestServices = root });
        var second = activator.Create(new DefaultHttpContext { RequestServices = root });

        Assert.True(first.Created);
        Assert.NotSame(first.Service, second.Service);
    }

    public sealed class Thing;

    private sealed class ThrowingProvider : IServiceProvider
    {
        public object? GetService(Type serviceType) => throw new InvalidOperationException("The request scope should not be used for a known singleton.");
    }
}
