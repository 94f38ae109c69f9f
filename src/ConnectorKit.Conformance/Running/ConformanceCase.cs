using System.Reflection;

namespace ConnectorKit.Conformance.Running;

/// <summary>A case found in a suite: its attribute and how to run it.</summary>
public sealed class ConformanceCase
{
    private readonly MethodInfo _method;

    private ConformanceCase(Type suite, MethodInfo method, ConformanceCaseAttribute attribute, ConformanceCategory category)
    {
        Suite = suite;
        _method = method;
        Attribute = attribute;
        Category = category;
    }

    public string Id => Attribute.Id;

    public Type Suite { get; }

    public ConformanceCaseAttribute Attribute { get; }

    public ConformanceCategory Category { get; }

    /// <summary>
    /// Every case of every concrete <see cref="ConformanceSuite"/> in <paramref name="assemblies"/>, ordered by id.
    /// </summary>
    /// <exception cref="InvalidOperationException">Two cases share an id, a case is not <c>Task M()</c>, or a suite has no category.</exception>
    public static IReadOnlyList<ConformanceCase> Discover(params Assembly[] assemblies)
    {
        var cases = new List<ConformanceCase>();
        foreach (var suite in assemblies.SelectMany(a => a.GetTypes()).Where(t => t.IsSubclassOf(typeof(ConformanceSuite)) && !t.IsAbstract))
        {
            var category = suite.GetCustomAttribute<SuiteCategoryAttribute>()?.Category
                ?? throw new InvalidOperationException($"Suite {suite.Name} needs [SuiteCategory(category)].");
            if (suite.GetConstructor(Type.EmptyTypes) is null)
            {
                throw new InvalidOperationException($"Suite {suite.Name} needs a public parameterless constructor.");
            }

            foreach (var method in suite.GetMethods(BindingFlags.Instance | BindingFlags.Public))
            {
                var attribute = method.GetCustomAttribute<ConformanceCaseAttribute>(inherit: true);
                if (attribute is null)
                {
                    continue;
                }

                if (method.ReturnType != typeof(Task) || method.GetParameters().Length != 0)
                {
                    throw new InvalidOperationException($"Case {attribute.Id} ({suite.Name}.{method.Name}) must be 'public Task {method.Name}()'.");
                }

                cases.Add(new ConformanceCase(suite, method, attribute, category));
            }
        }

        var duplicate = cases.GroupBy(c => c.Id, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Case id {duplicate.Key} is used by {string.Join(" and ", duplicate.Select(c => c.Suite.Name + "." + c._method.Name))}.");
        }

        return cases.OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
    }

    internal async Task InvokeAsync(ConformanceSuite instance)
    {
        try
        {
            await ((Task)_method.Invoke(instance, null)!).ConfigureAwait(false);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
        }
    }
}
