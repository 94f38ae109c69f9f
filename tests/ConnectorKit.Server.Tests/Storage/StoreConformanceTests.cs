using ConnectorKit.Contracts.V1;
using ConnectorKit.Server.Storage;

namespace ConnectorKit.Server.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IConnectorKitStore"/> must have. Each implementation derives a class with its
/// fixture; <see cref="StoreConformanceGuardTests"/> fails when one does not. Every test gets its own database.
/// </summary>
public abstract class StoreConformanceTests(StoreFixture fixture) : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = StoreFixture.Timeout;
    protected static readonly DateTimeOffset T0 = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
    protected const int LatestSchemaVersion = 2;
    protected const string DecisionMethod = "/connectorkit.v1.LoanEventsService/NotifyApprovalDecision";

    private readonly List<IConnectorKitStore> _stores = [];

    protected StoreFixture Fixture => fixture;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await ((IAsyncDisposable)store).DisposeAsync().AsTask().WaitAsync(Timeout);
        }
    }

    // ---- schema ----

    [Fact]
    public virtual async Task MigrateAsync_CalledAgain_IsIdempotentAndReportsLatestVersion()
    {
        var store = Track(Fixture.CreateUnmigratedStore());
        var before = await store.GetSchemaVersionAsync().WaitAsync(Timeout);
        await store.MigrateAsync().WaitAsync(Timeout);
        var profile = Profile(NewCreditCode(), version: 1);
        await store.UpsertProfileAsync(profile).WaitAsync(Timeout);

        await store.MigrateAsync().WaitAsync(Timeout);

        Assert.Equal(0, before);
        Assert.Equal(LatestSchemaVersion, await store.GetSchemaVersionAsync().WaitAsync(Timeout));
        Assert.NotNull(await store.GetProfileAsync(profile.CreditCode, profile.Source).WaitAsync(Timeout));
    }

    [Fact]
    public virtual async Task MigrateAsync_SeveralInstancesAtOnce_AllSucceed()
    {
        var first = Track(Fixture.CreateUnmigratedStore());
        var stores = new[] { first }.Concat(Enumerable.Range(0, 4).Select(_ => Track(Fixture.OpenAgain(first)))).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync()))).WaitAsync(Timeout);

        foreach (var store in stores)
        {
            Assert.Equal(LatestSchemaVersion, await store.GetSchemaVersionAsync().WaitAsync(Timeout));
        }
    }

    // ---- credit profiles ----

    [Fact]
    public virtual async Task UpsertProfileAsync_NewProfile_IsAppliedAndReadBack()
    {
        var store = await NewStoreAsync();
        var profile = Profile(NewCreditCode(), version: 7, consentId: "consent-1", payload: [1, 2, 3]);

        var result = await store.UpsertProfileAsync(profile).WaitAsync(Timeout);

        Assert.Equal(new ProfileUpsertResult(ProfileUpsertOutcome.Applied, 7), result);
        var stored = await store.GetProfileAsync(profile.CreditCode, profile.Source).WaitAsync(Timeout);
        Assert.NotNull(stored);
        Assert.Equal(profile.CreditCode, stored.CreditCode);
        Assert.Equal(profile.Source, stored.Source);
        Assert.Equal(7, stored.Version);
        Assert.Equal("consent-1", stored.ConsentId);
        Assert.Equal(profile.ConsentExpiresAt, stored.ConsentExpiresAt);
        Assert.Equal(profile.ReceivedAt, stored.ReceivedAt);
        Assert.Equal(new byte[] { 1, 2, 3 }, stored.Payload);
    }

    [Fact]
    public virtual async Task UpsertProfileAsync_SameOrOlderVersion_IsStaleAndChangesNothing()
    {
        var store = await NewStoreAsync();
        var code = NewCreditCode();
        await store.UpsertProfileAsync(Profile(code, version: 5, payload: [5])).WaitAsync(Timeout);

        var same = await store.UpsertProfileAsync(Profile(code, version: 5, payload: [55])).WaitAsync(Timeout);
        var older = await store.UpsertProfileAsync(Profile(code, version: 3, payload: [3])).WaitAsync(Timeout);

        Assert.Equal(new ProfileUpsertResult(ProfileUpsertOutcome.Stale, 5), same);
        Assert.Equal(new ProfileUpsertResult(ProfileUpsertOutcome.Stale, 5), older);
        var stored = await store.GetProfileAsync(code, "platform-a").WaitAsync(Timeout);
        Assert.Equal(new byte[] { 5 }, stored!.Payload);
    }

    [Fact]
    public virtual async Task UpsertProfileAsync_NewerVersion_ReplacesTheStoredOne()
    {
        var store = await NewStoreAsync();
        var code = NewCreditCode();
        await store.UpsertProfileAsync(Profile(code, version: 1, consentId: "old", payload: [1])).WaitAsync(Timeout);

        var result = await store.UpsertProfileAsync(Profile(code, version: 2, consentId: "new", payload: [2])).WaitAsync(Timeout);

        Assert.Equal(new ProfileUpsertResult(ProfileUpsertOutcome.Applied, 2), result);
        var stored = await store.GetProfileAsync(code, "platform-a").WaitAsync(Timeout);
        Assert.Equal(2, stored!.Version);
        Assert.Equal("new", stored.ConsentId);
        Assert.Equal(new byte[] { 2 }, stored.Payload);
    }

    [Fact]
    public virtual async Task GetProfilesAsync_SeveralSources_ReturnsEachSeparately()
    {
        var store = await NewStoreAsync();
        var code = NewCreditCode();
        await store.UpsertProfileAsync(Profile(code, source: "platform-b", version: 9)).WaitAsync(Timeout);
        await store.UpsertProfileAsync(Profile(code, source: "platform-a", version: 1)).WaitAsync(Timeout);
        await store.UpsertProfileAsync(Profile(NewCreditCode(), source: "platform-a", version: 1)).WaitAsync(Timeout);

        var profiles = await store.GetProfilesAsync(code).WaitAsync(Timeout);

        Assert.Equal(["platform-a", "platform-b"], profiles.Select(p => p.Source));
        Assert.Equal([1L, 9L], profiles.Select(p => p.Version));
        Assert.Null(await store.GetProfileAsync(code, "platform-c").WaitAsync(Timeout));
    }

    [Fact]
    public virtual async Task UpsertProfilesAsync_Batch_LaterItemsSeeEarlierOnes()
    {
        var store = await NewStoreAsync();
        var code = NewCreditCode();
        var other = NewCreditCode();

        var results = await store.UpsertProfilesAsync(
        [
            Profile(code, version: 2, payload: [2]),
            Profile(code, version: 1, payload: [1]),
            Profile(code, version: 3, payload: [3]),
            Profile(other, version: 1),
            Profile(code, version: 3, payload: [33]),
        ]).WaitAsync(Timeout);

        Assert.Equal(
            [
                new ProfileUpsertResult(ProfileUpsertOutcome.Applied, 2),
                new ProfileUpsertResult(ProfileUpsertOutcome.Stale, 2),
                new ProfileUpsertResult(ProfileUpsertOutcome.Applied, 3),
                new ProfileUpsertResult(ProfileUpsertOutcome.Applied, 1),
                new ProfileUpsertResult(ProfileUpsertOutcome.Stale, 3),
            ],
            results);
        Assert.Equal(new byte[] { 3 }, (await store.GetProfileAsync(code, "platform-a").WaitAsync(Timeout))!.Payload);
    }

    [Fact]
    public virtual async Task UpsertProfilesAsync_OneItemFails_NothingOfTheBatchIsStored()
    {
        var store = await NewStoreAsync();
        var good = Profile(NewCreditCode(), version: 1);
        var bad = Profile(NewCreditCode(), version: 1) with { Payload = null! };

        await Assert.ThrowsAnyAsync<Exception>(() => store.UpsertProfilesAsync([good, bad]).WaitAsync(Timeout));

        Assert.Null(await store.GetProfileAsync(good.CreditCode, good.Source).WaitAsync(Timeout));
    }

    [Fact]
    public virtual async Task RevokeConsentAsync_ProfilesUnderThatConsent_AreDeletedAndOthersKept()
    {
        var store = await NewStoreAsync();
        var code = NewCreditCode();
        await store.UpsertProfileAsync(Profile(code, source: "platform-a", consentId: "c-1")).WaitAsync(Timeout);
        await store.UpsertProfileAsync(Profile(code, source: "platform-b", consentId: "c-1")).WaitAsync(Timeout);
        await store.UpsertProfileAsync(Profile(code, source: "platform-c", consentId: "c-2")).WaitAsync(Timeout);

        var result = await store.RevokeConsentAsync("c-1", code, T0).WaitAsync(Timeout);

        Assert.Equal(new RevokeResult(AlreadyRevoked: false, ProfilesDeleted: 2), result);
        Assert.True(await store.IsConsentRevokedAsync("c-1").WaitAsync(Timeout));
        Assert.False(await store.IsConsentRevokedAsync("c-2").WaitAsync(Timeout));
        Assert.Equal(["platform-c"], (await store.GetProfilesAsync(code).WaitAsync(Timeout)).Select(p => p.Source));
    }

    [Fact]
    public virtual async Task GetRevokedConsentsAsync_MixOfRevokedAndUnknownIds_ReturnsOnlyTheRevoked()
    {
        var store = await NewStoreAsync();
        var code = NewCreditCode();
        await store.RevokeConsentAsync("c-revoked-1", code, T0).WaitAsync(Timeout);
        await store.RevokeConsentAsync("c-revoked-2", code, T0).WaitAsync(Timeout);

        var revoked = await store.GetRevokedConsentsAsync(["c-live", "c-revoked-2", "c-unknown", "c-revoked-1"]).WaitAsync(Timeout);
        var none = await store.GetRevokedConsentsAsync([]).WaitAsync(Timeout);

        Assert.Equal(["c-revoked-1", "c-revoked-2"], revoked.Order(StringComparer.Ordinal));
        Assert.Empty(none);
    }

    [Fact]
    public virtual async Task RevokeConsentAsync_Twice_ReportsAlreadyRevokedAndDeletesNothingMore()
    {
        var store = await NewStoreAsync();
        var code = NewCreditCode();
        await store.UpsertProfileAsync(Profile(code, source: "platform-a", consentId: "c-1")).WaitAsync(Timeout);
        await store.RevokeConsentAsync("c-1", code, T0).WaitAsync(Timeout);
        await store.UpsertProfileAsync(Profile(code, source: "platform-b", consentId: "c-1")).WaitAsync(Timeout);

        var again = await store.RevokeConsentAsync("c-1", code, T0.AddMinutes(1)).WaitAsync(Timeout);

        Assert.Equal(new RevokeResult(AlreadyRevoked: true, ProfilesDeleted: 0), again);
        Assert.NotNull(await store.GetProfileAsync(code, "platform-b").WaitAsync(Timeout));
    }

    [Fact]
    public virtual async Task FindConsentCreditCodeAsync_SeenThroughAProfileOrARevocation_TheEnterprisesCode()
    {
        var store = await NewStoreAsync();
        var code = NewCreditCode();
        var revokedOnly = NewCreditCode();
        await store.UpsertProfileAsync(Profile(code, source: "platform-a", consentId: "c-profile")).WaitAsync(Timeout);
        await store.RevokeConsentAsync("c-revoked", revokedOnly, T0).WaitAsync(Timeout);

        var viaProfile = await store.FindConsentCreditCodeAsync("c-profile").WaitAsync(Timeout);
        var viaRevocation = await store.FindConsentCreditCodeAsync("c-revoked").WaitAsync(Timeout);
        var unseen = await store.FindConsentCreditCodeAsync("c-unseen").WaitAsync(Timeout);

        Assert.Equal(code, viaProfile);
        Assert.Equal(revokedOnly, viaRevocation);
        Assert.Null(unseen);
    }

    // ---- applications ----

    [Fact]
    public virtual async Task CreateApplicationAsync_NewKey_CreatesAndReadsBack()
    {
        var store = await NewStoreAsync();
        var application = Application();

        var result = await store.CreateApplicationAsync(application).WaitAsync(Timeout);

        Assert.True(result.Created);
        Assert.True(result.SameRequest);
        var stored = await store.GetApplicationAsync(application.ApplicationId).WaitAsync(Timeout);
        Assert.NotNull(stored);
        Assert.Equal(application.PlatformId, stored.PlatformId);
        Assert.Equal(application.RequestId, stored.RequestId);
        Assert.Equal(application.RequestHash, stored.RequestHash);
        Assert.Equal(application.CreditCode, stored.CreditCode);
        Assert.Equal(ApplicationState.Submitted, stored.State);
        Assert.Equal(0, stored.LastSequence);
        Assert.Equal(application.Payload, stored.Payload);
        Assert.Equal(application.Response, stored.Response);
        Assert.Equal(application.CreatedAt, stored.CreatedAt);
        Assert.Equal(application.CreatedAt, stored.UpdatedAt);
        Assert.Null(await store.GetApplicationAsync("no-such-application").WaitAsync(Timeout));
    }

    [Fact]
    public virtual async Task CreateApplicationAsync_SameKeySameHash_ReturnsTheFirstAsSameRequest()
    {
        var store = await NewStoreAsync();
        var first = Application(response: [1]);
        await store.CreateApplicationAsync(first).WaitAsync(Timeout);

        var retry = await store.CreateApplicationAsync(first with { ApplicationId = NewId("app"), Response = [2] }).WaitAsync(Timeout);

        Assert.False(retry.Created);
        Assert.True(retry.SameRequest);
        Assert.Equal(first.ApplicationId, retry.Application.ApplicationId);
        Assert.Equal(new byte[] { 1 }, retry.Application.Response);
    }

    [Fact]
    public virtual async Task CreateApplicationAsync_SameKeyDifferentHash_ReturnsTheFirstAsDifferentRequest()
    {
        var store = await NewStoreAsync();
        var first = Application(hash: [1, 1]);
        await store.CreateApplicationAsync(first).WaitAsync(Timeout);

        var other = await store.CreateApplicationAsync(first with { ApplicationId = NewId("app"), RequestHash = [2, 2] }).WaitAsync(Timeout);

        Assert.False(other.Created);
        Assert.False(other.SameRequest);
        Assert.Equal(first.ApplicationId, other.Application.ApplicationId);
    }

    [Fact]
    public virtual async Task CreateApplicationAsync_SameRequestIdOtherPlatform_CreatesASecond()
    {
        var store = await NewStoreAsync();
        var first = Application(platformId: "platform-a", requestId: "req-1");
        await store.CreateApplicationAsync(first).WaitAsync(Timeout);

        var second = await store.CreateApplicationAsync(Application(platformId: "platform-b", requestId: "req-1")).WaitAsync(Timeout);

        Assert.True(second.Created);
        Assert.Equal(2, (await store.ListApplicationsAsync(ApplicationState.Submitted, 10).WaitAsync(Timeout)).Count);
    }

    [Fact]
    public virtual async Task CreateApplicationAsync_TwentyConcurrentCallsOnFourInstances_CreateExactlyOne()
    {
        var store = await NewStoreAsync();
        var template = Application();
        var attempts = Enumerable.Range(0, 20).Select(i => template with { ApplicationId = $"{template.ApplicationId}-{i}" }).ToList();
        var nodes = new[] { store }.Concat(Enumerable.Range(0, 3).Select(_ => Track(Fixture.OpenAgain(store)))).ToList();
        using var start = new ManualResetEventSlim();

        var calls = attempts.Select((a, i) => Task.Run(async () =>
        {
            start.Wait();
            return await nodes[i % nodes.Count].CreateApplicationAsync(a);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(calls).WaitAsync(Timeout);

        Assert.Single(results, r => r.Created);
        var winner = results.Single(r => r.Created).Application.ApplicationId;
        Assert.All(results, r => Assert.Equal(winner, r.Application.ApplicationId));
        Assert.All(results, r => Assert.True(r.SameRequest));
        Assert.Single(await store.ListApplicationsAsync(ApplicationState.Submitted, 100).WaitAsync(Timeout));
    }

    [Fact]
    public virtual async Task UpdateApplicationAsync_UnknownApplication_ReturnsNullWithoutCalling()
    {
        var store = await NewStoreAsync();
        var called = false;

        var result = await store.UpdateApplicationAsync("no-such-application", _ =>
        {
            called = true;
            return null;
        }).WaitAsync(Timeout);

        Assert.Null(result);
        Assert.False(called);
    }

    [Fact]
    public virtual async Task UpdateApplicationAsync_Change_WritesStateAndEnqueuesEventsDueNow()
    {
        var clock = new ManualClock(T0);
        var store = await NewStoreAsync(clock);
        var application = Application();
        await store.CreateApplicationAsync(application).WaitAsync(Timeout);
        var at = T0.AddMinutes(5);
        clock.Advance(TimeSpan.FromMinutes(5));

        var updated = await store.UpdateApplicationAsync(application.ApplicationId, current => new ApplicationUpdate(
            ApplicationState.Approved, [9, 9], [Event(1, "evt-1"), Event(2, "evt-2")], at)).WaitAsync(Timeout);

        Assert.NotNull(updated);
        Assert.Equal(ApplicationState.Approved, updated.State);
        Assert.Equal(2, updated.LastSequence);
        Assert.Equal(at, updated.UpdatedAt);
        var stored = await store.GetApplicationAsync(application.ApplicationId).WaitAsync(Timeout);
        Assert.Equal(ApplicationState.Approved, stored!.State);
        Assert.Equal(2, stored.LastSequence);
        Assert.Equal(new byte[] { 9, 9 }, stored.Payload);
        Assert.Equal(at, stored.UpdatedAt);
        Assert.Equal(application.CreatedAt, stored.CreatedAt);
        var leased = await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), clock.Now).WaitAsync(Timeout);
        var head = Assert.Single(leased);
        Assert.Equal(application.ApplicationId, head.ApplicationId);
        Assert.Equal(1, head.Sequence);
        Assert.Equal("evt-1", head.EventId);
        Assert.Equal(DecisionMethod, head.Method);
        Assert.Equal(new byte[] { 1 }, head.Payload);
        Assert.Equal(clock.Now, head.CreatedAt);
        Assert.Equal(clock.Now, head.NextAttemptAt);
        Assert.Equal(0, head.Attempts);
        Assert.Null(head.LastError);
        Assert.Equal(2, (await store.GetOutboxStatsAsync().WaitAsync(Timeout)).Pending);
    }

    [Fact]
    public virtual async Task UpdateApplicationForSignalAsync_KeySeenBefore_ReportsDuplicateAndChangesNothing()
    {
        var store = await NewStoreAsync();
        var application = Application();
        await store.CreateApplicationAsync(application).WaitAsync(Timeout);
        await store.UpdateApplicationForSignalAsync(application.ApplicationId, ["webhook:msg_1", "decision:D1"], _ => new ApplicationUpdate(
            ApplicationState.Approved, [7], [Event(1, "evt-1")], T0)).WaitAsync(Timeout);
        var called = false;

        var again = await store.UpdateApplicationForSignalAsync(application.ApplicationId, ["webhook:msg_2", "decision:D1"], _ =>
        {
            called = true;
            return new ApplicationUpdate(ApplicationState.Rejected, [8], [Event(2, "evt-2")], T0);
        }).WaitAsync(Timeout);

        Assert.True(again.Duplicate);
        Assert.False(called);
        Assert.Equal(ApplicationState.Approved, again.Application!.State);
        Assert.Equal(1, (await store.GetOutboxStatsAsync().WaitAsync(Timeout)).Pending);
    }

    [Fact]
    public virtual async Task UpdateApplicationForSignalAsync_ChangeThrows_KeepsNoKeySoTheRetryApplies()
    {
        var store = await NewStoreAsync();
        var application = Application();
        await store.CreateApplicationAsync(application).WaitAsync(Timeout);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.UpdateApplicationForSignalAsync(application.ApplicationId, ["tranche:T1"], _ => throw new InvalidOperationException("not yet")).WaitAsync(Timeout));
        var retry = await store.UpdateApplicationForSignalAsync(application.ApplicationId, ["tranche:T1"], _ => new ApplicationUpdate(
            ApplicationState.Disbursed, [5], [Event(1, "evt-1")], T0)).WaitAsync(Timeout);

        Assert.False(retry.Duplicate);
        Assert.Equal(ApplicationState.Disbursed, retry.Application!.State);
    }

    [Fact]
    public virtual async Task UpdateApplicationForSignalAsync_SameKeyConcurrently_AppliesOnce()
    {
        var store = await NewStoreAsync();
        var application = Application();
        await store.CreateApplicationAsync(application).WaitAsync(Timeout);
        var applied = 0;

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.UpdateApplicationForSignalAsync(application.ApplicationId, ["tranche:T9"], current =>
        {
            Interlocked.Increment(ref applied);
            return new ApplicationUpdate(ApplicationState.Disbursed, [6], [Event(current.LastSequence + 1, "evt-" + Guid.NewGuid())], T0);
        })))).WaitAsync(Timeout);

        Assert.Equal(1, applied);
        Assert.Equal(7, results.Count(r => r.Duplicate));
        Assert.Equal(1, (await store.GetOutboxStatsAsync().WaitAsync(Timeout)).Pending);
    }

    [Fact]
    public virtual async Task UpdateApplicationAsync_FunctionReturnsNull_ChangesNothing()
    {
        var store = await NewStoreAsync();
        var application = Application();
        await store.CreateApplicationAsync(application).WaitAsync(Timeout);

        var result = await store.UpdateApplicationAsync(application.ApplicationId, _ => null).WaitAsync(Timeout);

        Assert.Equal(ApplicationState.Submitted, result!.State);
        var stored = await store.GetApplicationAsync(application.ApplicationId).WaitAsync(Timeout);
        Assert.Equal(ApplicationState.Submitted, stored!.State);
        Assert.Equal(application.CreatedAt, stored.UpdatedAt);
        Assert.Equal(0, (await store.GetOutboxStatsAsync().WaitAsync(Timeout)).Pending);
    }

    [Fact]
    public virtual async Task UpdateApplicationAsync_FunctionThrows_RollsBackAndRethrows()
    {
        var store = await NewStoreAsync();
        var application = Application();
        await store.CreateApplicationAsync(application).WaitAsync(Timeout);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => store.UpdateApplicationAsync(
            application.ApplicationId, _ => throw new InvalidOperationException("refused by the state machine")).WaitAsync(Timeout));

        Assert.Equal("refused by the state machine", thrown.Message);
        Assert.Equal(ApplicationState.Submitted, (await store.GetApplicationAsync(application.ApplicationId).WaitAsync(Timeout))!.State);
        var after = await store.UpdateApplicationAsync(application.ApplicationId, c => new ApplicationUpdate(
            ApplicationState.UnderReview, c.Payload, [Event(1)], T0)).WaitAsync(Timeout);
        Assert.Equal(ApplicationState.UnderReview, after!.State);
    }

    [Fact]
    public virtual async Task UpdateApplicationAsync_SequenceGap_ThrowsAndWritesNothing()
    {
        var store = await NewStoreAsync();
        var application = Application();
        await store.CreateApplicationAsync(application).WaitAsync(Timeout);

        await Assert.ThrowsAsync<ArgumentException>(() => store.UpdateApplicationAsync(application.ApplicationId, c => new ApplicationUpdate(
            ApplicationState.Approved, c.Payload, [Event(1), Event(3)], T0)).WaitAsync(Timeout));

        var stored = await store.GetApplicationAsync(application.ApplicationId).WaitAsync(Timeout);
        Assert.Equal(ApplicationState.Submitted, stored!.State);
        Assert.Equal(0, stored.LastSequence);
        Assert.Equal(0, (await store.GetOutboxStatsAsync().WaitAsync(Timeout)).Pending);
    }

    [Fact]
    public virtual async Task UpdateApplicationAsync_TwentyConcurrentUpdatesOnFourInstances_EachSeesThePreviousOne()
    {
        var store = await NewStoreAsync();
        var application = Application();
        await store.CreateApplicationAsync(application).WaitAsync(Timeout);
        var nodes = new[] { store }.Concat(Enumerable.Range(0, 3).Select(_ => Track(Fixture.OpenAgain(store)))).ToList();
        using var start = new ManualResetEventSlim();

        var updates = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await nodes[i % nodes.Count].UpdateApplicationAsync(application.ApplicationId, c => new ApplicationUpdate(
                ApplicationState.UnderReview, c.Payload, [Event(c.LastSequence + 1)], T0));
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(updates).WaitAsync(Timeout);

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), results.Select(r => r!.LastSequence).Order());
        Assert.Equal(20, (await store.GetApplicationAsync(application.ApplicationId).WaitAsync(Timeout))!.LastSequence);
        Assert.Equal(20, (await store.GetOutboxStatsAsync().WaitAsync(Timeout)).Pending);
    }

    [Fact]
    public virtual async Task UpdateApplicationAsync_ConcurrentChangesOneRefused_OnlyTheRefusedOneIsUndone()
    {
        var store = await NewStoreAsync();
        var applications = Enumerable.Range(0, 12).Select(_ => Application()).ToList();
        foreach (var a in applications)
        {
            await store.CreateApplicationAsync(a).WaitAsync(Timeout);
        }

        var refused = applications[5].ApplicationId;
        using var start = new ManualResetEventSlim();

        var updates = applications.Select(a => Task.Run(async () =>
        {
            start.Wait();
            return await store.UpdateApplicationAsync(a.ApplicationId, c => a.ApplicationId == refused
                ? throw new InvalidOperationException("refused " + c.ApplicationId)
                : new ApplicationUpdate(ApplicationState.Approved, [4], [Event(1, "evt-" + c.ApplicationId)], T0));
        })).ToList();
        start.Set();
        await Task.WhenAny(Task.WhenAll(updates)).WaitAsync(Timeout);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => updates[5].WaitAsync(Timeout));
        Assert.Equal("refused " + refused, failure.Message);
        Assert.All(updates.Where((_, i) => i != 5), u => Assert.Equal(ApplicationState.Approved, u.Result!.State));
        foreach (var a in applications)
        {
            var stored = await store.GetApplicationAsync(a.ApplicationId).WaitAsync(Timeout);
            Assert.Equal(a.ApplicationId == refused ? ApplicationState.Submitted : ApplicationState.Approved, stored!.State);
        }

        var leased = await store.LeaseDueAsync(100, "owner", TimeSpan.FromSeconds(30), DateTimeOffset.UtcNow.AddMinutes(1)).WaitAsync(Timeout);
        Assert.Equal(applications.Where(a => a.ApplicationId != refused).Select(a => "evt-" + a.ApplicationId).Order(), leased.Select(m => m.EventId).Order());
    }

    [Fact]
    public virtual async Task ListApplicationsAsync_ByState_ReturnsOldestFirstUpToMax()
    {
        var store = await NewStoreAsync();
        var third = Application(createdAt: T0.AddMinutes(3));
        var first = Application(createdAt: T0.AddMinutes(1));
        var second = Application(createdAt: T0.AddMinutes(2));
        var approved = Application(createdAt: T0);
        foreach (var a in new[] { third, first, second, approved })
        {
            await store.CreateApplicationAsync(a).WaitAsync(Timeout);
        }

        await store.UpdateApplicationAsync(approved.ApplicationId, c => new ApplicationUpdate(ApplicationState.Approved, c.Payload, [], T0)).WaitAsync(Timeout);

        var submitted = await store.ListApplicationsAsync(ApplicationState.Submitted, 2).WaitAsync(Timeout);
        var all = await store.ListApplicationsAsync(ApplicationState.Submitted, 10).WaitAsync(Timeout);

        Assert.Equal([first.ApplicationId, second.ApplicationId], submitted.Select(a => a.ApplicationId));
        Assert.Equal([first.ApplicationId, second.ApplicationId, third.ApplicationId], all.Select(a => a.ApplicationId));
        Assert.Equal([approved.ApplicationId], (await store.ListApplicationsAsync(ApplicationState.Approved, 10).WaitAsync(Timeout)).Select(a => a.ApplicationId));
    }

    // ---- outbox ----

    [Fact]
    public virtual async Task LeaseDueAsync_SeveralApplications_ReturnsOnlyHeadsByDueTimeThenId()
    {
        var clock = new ManualClock(T0);
        var store = await NewStoreAsync(clock);
        var a = await ApplicationWithEventsAsync(store, 2);
        var b = await ApplicationWithEventsAsync(store, 1);
        var c = await ApplicationWithEventsAsync(store, 3);

        var heads = await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0).WaitAsync(Timeout);
        var byApp = heads.ToDictionary(m => m.ApplicationId);
        await store.RetryLaterAsync(byApp[a].Id, T0.AddSeconds(2), "UNAVAILABLE").WaitAsync(Timeout);
        await store.RetryLaterAsync(byApp[b].Id, T0.AddSeconds(1), "UNAVAILABLE").WaitAsync(Timeout);
        await store.RetryLaterAsync(byApp[c].Id, T0.AddSeconds(3), "UNAVAILABLE").WaitAsync(Timeout);
        var later = await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0.AddSeconds(5)).WaitAsync(Timeout);

        Assert.Equal([a, b, c], heads.Select(m => m.ApplicationId));
        Assert.All(heads, m => Assert.Equal(1, m.Sequence));
        Assert.True(heads[0].Id < heads[1].Id && heads[1].Id < heads[2].Id);
        Assert.Equal([b, a, c], later.Select(m => m.ApplicationId));
        Assert.All(later, m => Assert.Equal(1, m.Sequence));
    }

    [Fact]
    public virtual async Task LeaseDueAsync_LeasedHead_IsHiddenFromOthersUntilTheLeaseEnds()
    {
        var store = await NewStoreAsync(new ManualClock(T0));
        var app = await ApplicationWithEventsAsync(store, 2);
        var first = Assert.Single(await store.LeaseDueAsync(10, "node-1", TimeSpan.FromSeconds(30), T0).WaitAsync(Timeout));

        var during = await store.LeaseDueAsync(10, "node-2", TimeSpan.FromSeconds(30), T0.AddSeconds(29)).WaitAsync(Timeout);
        var after = await store.LeaseDueAsync(10, "node-2", TimeSpan.FromSeconds(30), T0.AddSeconds(30)).WaitAsync(Timeout);

        Assert.Empty(during);
        var again = Assert.Single(after);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(app, again.ApplicationId);
        Assert.Equal(1, again.Sequence);
    }

    [Fact]
    public virtual async Task LeaseDueAsync_NotYetDue_ReturnsNothing()
    {
        var store = await NewStoreAsync(new ManualClock(T0));
        await ApplicationWithEventsAsync(store, 1);

        var early = await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0.AddTicks(-1)).WaitAsync(Timeout);
        var onTime = await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0).WaitAsync(Timeout);

        Assert.Empty(early);
        Assert.Single(onTime);
    }

    [Fact]
    public virtual async Task LeaseDueAsync_Max_LimitsTheBatch()
    {
        var store = await NewStoreAsync(new ManualClock(T0));
        for (var i = 0; i < 5; i++)
        {
            await ApplicationWithEventsAsync(store, 1);
        }

        var first = await store.LeaseDueAsync(3, "owner", TimeSpan.FromSeconds(30), T0).WaitAsync(Timeout);
        var rest = await store.LeaseDueAsync(3, "owner", TimeSpan.FromSeconds(30), T0).WaitAsync(Timeout);

        Assert.Equal(3, first.Count);
        Assert.Equal(2, rest.Count);
        Assert.Empty(first.Select(m => m.Id).Intersect(rest.Select(m => m.Id)));
    }

    [Fact]
    public virtual async Task LeaseDueAsync_ConcurrentOwners_NeverLeaseTheSameMessage()
    {
        var store = await NewStoreAsync(new ManualClock(T0));
        for (var i = 0; i < 30; i++)
        {
            await ApplicationWithEventsAsync(store, 1);
        }

        var nodes = Enumerable.Range(0, 4).Select(_ => Track(Fixture.OpenAgain(store))).ToList();
        using var start = new ManualResetEventSlim();

        var leases = Enumerable.Range(0, 10).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await nodes[i % nodes.Count].LeaseDueAsync(4, $"owner-{i}", TimeSpan.FromSeconds(30), T0);
        })).ToList();
        start.Set();
        var leased = (await Task.WhenAll(leases).WaitAsync(Timeout)).SelectMany(l => l).ToList();
        var remaining = await store.LeaseDueAsync(100, "sweeper", TimeSpan.FromSeconds(30), T0).WaitAsync(Timeout);

        Assert.Equal(leased.Count, leased.Select(m => m.Id).Distinct().Count());
        Assert.Equal(30, leased.Count + remaining.Count);
        Assert.Empty(leased.Select(m => m.Id).Intersect(remaining.Select(m => m.Id)));
    }

    [Fact]
    public virtual async Task CompleteAsync_Head_MakesTheNextSequenceDue()
    {
        var store = await NewStoreAsync(new ManualClock(T0));
        var app = await ApplicationWithEventsAsync(store, 2);
        var head = Assert.Single(await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0).WaitAsync(Timeout));

        await store.CompleteAsync(head.Id).WaitAsync(Timeout);

        var next = Assert.Single(await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0).WaitAsync(Timeout));
        Assert.Equal(app, next.ApplicationId);
        Assert.Equal(2, next.Sequence);
        Assert.Equal(1, (await store.GetOutboxStatsAsync().WaitAsync(Timeout)).Pending);
    }

    [Fact]
    public virtual async Task CompleteAsync_SeveralIdsAtOnce_RemovesThoseOnlyAndIgnoresOnesAlreadyGone()
    {
        var store = await NewStoreAsync(new ManualClock(T0));
        var apps = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            apps.Add(await ApplicationWithEventsAsync(store, 2));
        }

        var heads = await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0).WaitAsync(Timeout);
        var acknowledged = heads.Where(m => m.ApplicationId != apps[3]).Select(m => m.Id).ToList();
        await store.CompleteAsync(acknowledged[0]).WaitAsync(Timeout);

        await store.CompleteAsync(acknowledged).WaitAsync(Timeout);

        var next = await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0).WaitAsync(Timeout);
        Assert.Equal(4, heads.Count);
        Assert.Equal(apps.Take(3).Order(), next.Select(m => m.ApplicationId).Order());
        Assert.All(next, m => Assert.Equal(2, m.Sequence));
        Assert.Equal(5, (await store.GetOutboxStatsAsync().WaitAsync(Timeout)).Pending);
    }

    [Fact]
    public virtual async Task RetryLaterAsync_LeasedMessage_CountsTheAttemptReleasesTheLeaseAndReschedules()
    {
        var store = await NewStoreAsync(new ManualClock(T0));
        await ApplicationWithEventsAsync(store, 1);
        var head = Assert.Single(await store.LeaseDueAsync(10, "owner", TimeSpan.FromMinutes(10), T0).WaitAsync(Timeout));

        await store.RetryLaterAsync(head.Id, T0.AddSeconds(10), "UNAVAILABLE: platform restarting").WaitAsync(Timeout);

        Assert.Empty(await store.LeaseDueAsync(10, "other", TimeSpan.FromSeconds(30), T0.AddSeconds(9)).WaitAsync(Timeout));
        var retried = Assert.Single(await store.LeaseDueAsync(10, "other", TimeSpan.FromSeconds(30), T0.AddSeconds(10)).WaitAsync(Timeout));
        Assert.Equal(head.Id, retried.Id);
        Assert.Equal(1, retried.Attempts);
        Assert.Equal(T0.AddSeconds(10), retried.NextAttemptAt);
        Assert.Equal("UNAVAILABLE: platform restarting", retried.LastError);
        Assert.Equal(1, (await store.GetOutboxStatsAsync().WaitAsync(Timeout)).Retrying);
    }

    [Fact]
    public virtual async Task DeadLetterAsync_Head_MovesItAndHoldsLaterEventsOfItsApplicationOnly()
    {
        var store = await NewStoreAsync(new ManualClock(T0));
        var blocked = await ApplicationWithEventsAsync(store, 2);
        var other = await ApplicationWithEventsAsync(store, 1);
        var heads = await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0).WaitAsync(Timeout);
        var refused = heads.Single(m => m.ApplicationId == blocked);
        await store.RetryLaterAsync(heads.Single(m => m.ApplicationId == other).Id, T0, "UNAVAILABLE").WaitAsync(Timeout);

        await store.DeadLetterAsync(refused.Id, "FAILED_PRECONDITION: expected sequence 4", T0.AddSeconds(1)).WaitAsync(Timeout);

        var due = await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0.AddMinutes(1)).WaitAsync(Timeout);
        Assert.Equal([other], due.Select(m => m.ApplicationId));
        var dead = Assert.Single(await store.ListDeadLettersAsync(10).WaitAsync(Timeout));
        Assert.Equal("FAILED_PRECONDITION: expected sequence 4", dead.Reason);
        Assert.Equal(T0.AddSeconds(1), dead.ParkedAt);
        Assert.Equal(refused.Id, dead.Message.Id);
        Assert.Equal(blocked, dead.Message.ApplicationId);
        Assert.Equal(1, dead.Message.Sequence);
        Assert.Equal(refused.EventId, dead.Message.EventId);
        Assert.Equal(refused.Method, dead.Message.Method);
        Assert.Equal(refused.Payload, dead.Message.Payload);
        Assert.Equal(refused.CreatedAt, dead.Message.CreatedAt);
        Assert.Equal(1, dead.Message.Attempts);
    }

    [Fact]
    public virtual async Task RedriveAsync_DeadLetter_ReturnsDueNowAheadOfTheEventsItHeld()
    {
        var store = await NewStoreAsync(new ManualClock(T0));
        var app = await ApplicationWithEventsAsync(store, 2);
        var head = Assert.Single(await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0).WaitAsync(Timeout));
        await store.DeadLetterAsync(head.Id, "NOT_FOUND: unknown application", T0).WaitAsync(Timeout);
        var dead = Assert.Single(await store.ListDeadLettersAsync(10).WaitAsync(Timeout));

        var redriven = await store.RedriveAsync(dead.Id, T0.AddHours(1)).WaitAsync(Timeout);
        var twice = await store.RedriveAsync(dead.Id, T0.AddHours(1)).WaitAsync(Timeout);

        Assert.True(redriven);
        Assert.False(twice);
        Assert.False(await store.RedriveAsync(dead.Id + 1000, T0).WaitAsync(Timeout));
        Assert.Empty(await store.ListDeadLettersAsync(10).WaitAsync(Timeout));
        Assert.Empty(await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0.AddMinutes(59)).WaitAsync(Timeout));
        var back = Assert.Single(await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0.AddHours(1)).WaitAsync(Timeout));
        Assert.Equal(head.Id, back.Id);
        Assert.Equal(1, back.Sequence);
        Assert.Equal(0, back.Attempts);
        Assert.Equal(T0.AddHours(1), back.NextAttemptAt);
        await store.CompleteAsync(back.Id).WaitAsync(Timeout);
        var held = Assert.Single(await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0.AddHours(1)).WaitAsync(Timeout));
        Assert.Equal(app, held.ApplicationId);
        Assert.Equal(2, held.Sequence);
    }

    [Fact]
    public virtual async Task GetOutboxStatsAsync_MixedOutbox_CountsPendingRetryingAndDeadLetters()
    {
        var clock = new ManualClock(T0);
        var store = await NewStoreAsync(clock);
        var empty = await store.GetOutboxStatsAsync().WaitAsync(Timeout);
        await ApplicationWithEventsAsync(store, 3);
        clock.Advance(TimeSpan.FromMinutes(1));
        await ApplicationWithEventsAsync(store, 1);
        await ApplicationWithEventsAsync(store, 1);
        var heads = await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), clock.Now).WaitAsync(Timeout);
        await store.RetryLaterAsync(heads[1].Id, clock.Now, "UNAVAILABLE").WaitAsync(Timeout);
        await store.DeadLetterAsync(heads[2].Id, "INVALID_ARGUMENT", clock.Now).WaitAsync(Timeout);

        var stats = await store.GetOutboxStatsAsync().WaitAsync(Timeout);

        Assert.Equal(new OutboxStats(0, 0, 0, null), empty);
        Assert.Equal(new OutboxStats(Pending: 4, Retrying: 1, DeadLetters: 1, OldestPendingCreatedAt: T0), stats);
    }

    // ---- durability ----

    [Fact]
    public virtual async Task Store_ReopenedOnTheSameDatabase_KeepsEverything()
    {
        var store = await NewStoreAsync(new ManualClock(T0));
        var code = NewCreditCode();
        await store.UpsertProfileAsync(Profile(code, version: 4, consentId: "kept")).WaitAsync(Timeout);
        await store.UpsertProfileAsync(Profile(code, source: "platform-b", consentId: "revoked")).WaitAsync(Timeout);
        await store.RevokeConsentAsync("revoked", code, T0).WaitAsync(Timeout);
        var parked = await ApplicationWithEventsAsync(store, 1);
        var pending = await ApplicationWithEventsAsync(store, 2);
        var head = (await store.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0).WaitAsync(Timeout)).Single(m => m.ApplicationId == parked);
        await store.DeadLetterAsync(head.Id, "PERMISSION_DENIED", T0).WaitAsync(Timeout);
        await ((IAsyncDisposable)store).DisposeAsync().AsTask().WaitAsync(Timeout);

        var reopened = Track(Fixture.OpenAgain(store));
        await reopened.MigrateAsync().WaitAsync(Timeout);

        Assert.Equal(LatestSchemaVersion, await reopened.GetSchemaVersionAsync().WaitAsync(Timeout));
        Assert.Equal(4, (await reopened.GetProfileAsync(code, "platform-a").WaitAsync(Timeout))!.Version);
        Assert.Null(await reopened.GetProfileAsync(code, "platform-b").WaitAsync(Timeout));
        Assert.True(await reopened.IsConsentRevokedAsync("revoked").WaitAsync(Timeout));
        Assert.Equal(2, (await reopened.GetApplicationAsync(pending).WaitAsync(Timeout))!.LastSequence);
        Assert.Equal(new OutboxStats(Pending: 2, Retrying: 0, DeadLetters: 1, OldestPendingCreatedAt: T0), await reopened.GetOutboxStatsAsync().WaitAsync(Timeout));
        var due = Assert.Single(await reopened.LeaseDueAsync(10, "owner", TimeSpan.FromSeconds(30), T0.AddMinutes(1)).WaitAsync(Timeout));
        Assert.Equal(pending, due.ApplicationId);
        Assert.Equal(1, due.Sequence);
    }

    // ---- helpers ----

    protected async Task<IConnectorKitStore> NewStoreAsync(TimeProvider? clock = null) =>
        Track(await Fixture.CreateStoreAsync(clock).WaitAsync(Timeout));

    protected IConnectorKitStore Track(IConnectorKitStore store)
    {
        _stores.Add(store);
        return store;
    }

    protected static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    protected static string NewCreditCode() => "91" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();

    protected static StoredProfile Profile(string creditCode, string source = "platform-a", long version = 1, string consentId = "consent", byte[]? payload = null) =>
        new(creditCode, source, version, consentId, T0.AddYears(1), payload ?? [0x0a, 0x01], T0.AddTicks(123));

    protected static NewApplication Application(
        string? platformId = null,
        string? requestId = null,
        byte[]? hash = null,
        byte[]? response = null,
        DateTimeOffset? createdAt = null) =>
        new(
            ApplicationId: NewId("app"),
            PlatformId: platformId ?? "platform-a",
            RequestId: requestId ?? NewId("req"),
            RequestHash: hash ?? [0xab, 0xcd],
            CreditCode: NewCreditCode(),
            State: ApplicationState.Submitted,
            Payload: [0x01],
            Response: response ?? [0x02],
            CreatedAt: createdAt ?? T0.AddTicks(7));

    protected static NewOutboxMessage Event(long sequence, string? eventId = null) =>
        new(eventId ?? NewId("evt"), sequence, DecisionMethod, [(byte)sequence]);

    /// <summary>A new application with <paramref name="events"/> callbacks in the outbox (sequences 1..n); returns its id.</summary>
    protected static async Task<string> ApplicationWithEventsAsync(IConnectorKitStore store, int events)
    {
        var application = Application();
        await store.CreateApplicationAsync(application).WaitAsync(Timeout);
        await store.UpdateApplicationAsync(application.ApplicationId, c => new ApplicationUpdate(
            ApplicationState.UnderReview, c.Payload, [.. Enumerable.Range(1, events).Select(i => Event(i))], T0)).WaitAsync(Timeout);
        return application.ApplicationId;
    }
}

public sealed class SqliteStoreTests(SqliteStoreFixture fixture) : StoreConformanceTests(fixture), IClassFixture<SqliteStoreFixture>
{
    [Fact]
    public async Task MigrateAsync_NewFile_UsesWriteAheadLogging()
    {
        var store = (SqliteConnectorKitStore)await NewStoreAsync();

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store.DatabasePath};Pooling=False");
        await connection.OpenAsync().WaitAsync(Timeout);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        var mode = (string?)await command.ExecuteScalarAsync().WaitAsync(Timeout);

        Assert.Equal("wal", mode);
    }

    [Fact]
    public async Task ConnectorKitStoreFactory_SqliteOptions_UsesTheDatabaseFileInTheDataDirectory()
    {
        var directory = Path.Combine(fixture.Directory, NewId("data"));
        var options = new ConnectorKitServerOptions { DataDirectory = directory };

        var store = Track(ConnectorKitStoreFactory.Create(options));
        await store.MigrateAsync().WaitAsync(Timeout);

        Assert.Equal(Path.Combine(directory, "connectorkit.db"), ((SqliteConnectorKitStore)store).DatabasePath);
        Assert.True(File.Exists(Path.Combine(directory, "connectorkit.db")));
    }
}

public sealed class PostgresStoreTests(PostgresStoreFixture fixture) : StoreConformanceTests(fixture), IClassFixture<PostgresStoreFixture>;
