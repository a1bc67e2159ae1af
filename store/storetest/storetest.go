// Package storetest is the store's contract: tests that use only the
// store's exported API and that every backend (SQLite, PostgreSQL) must
// pass, so that neither can drift from the other. store/contract_test.go
// runs them on each.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/store"
)

// Open opens a new store on t's database. The first call in a test
// creates that database, empty; each later call in the same test opens
// another store on the same database, as another replica would. It may be
// called from several goroutines at once; it closes the stores when t
// ends, and reports a failure to open with t.Error and a nil store. It
// may skip t (its backend is not installed) at its first call in t.
type Open func(t *testing.T) *store.Store

// Run runs the contract, each test in a subtest of t with a database of
// its own.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(*testing.T, Open)
	}{
		{"TicksOnOneLaunch", testTicksOnOneLaunch},
		{"TicksOnManyLaunches", testTicksOnManyLaunches},
		{"TogglesOfOneItemLoseNothing", testTogglesOfOneItemLoseNothing},
		{"BatchedTicksAcrossLaunches", testBatchedTicksAcrossLaunches},
		{"BatchUndoesAFailedChangeAlone", testBatchUndoesAFailedChangeAlone},
		{"Owners", testOwners},
		{"Roles", testRoles},
		{"ArchiveFreesTheChannel", testArchiveFreesTheChannel},
		{"FailedChangeLeavesNoTrace", testFailedChangeLeavesNoTrace},
		{"AuditKeepsEventFields", testAuditKeepsEventFields},
		{"ApprovalDMs", testApprovalDMs},
		{"ReplayedAnswerIsRefused", testReplayedAnswerIsRefused},
		{"FirstRequest", testFirstRequest},
		{"ReminderClaimsAreDisjoint", testReminderClaimsAreDisjoint},
		{"StaleReminderClaimIsFenced", testStaleReminderClaimIsFenced},
		{"PlanRemindersKeepsWhatWasSent", testPlanRemindersKeepsWhatWasSent},
		{"PostsAreClaimedOnce", testPostsAreClaimedOnce},
		{"StalePostClaimIsFenced", testStalePostClaimIsFenced},
		{"Messages", testMessages},
		{"CacheSeesOtherStoresChanges", testCacheSeesOtherStoresChanges},
		{"ImportDrafts", testImportDrafts},
		{"Tokens", testTokens},
		{"OpeningAgainChangesNothing", testOpeningAgainChangesNothing},
		{"OpeningTogetherMigratesOnce", testOpeningTogetherMigratesOnce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// Who's who in the fixture launch.
const (
	team    = "T1"
	creator = "UBOSS"
	secLead = "USEC"
)

// t0 is a fixed instant with millisecond precision, as the store keeps them.
var t0 = time.Date(2026, 11, 20, 9, 30, 15, 123_000_000, time.UTC)

// newLaunch is a launch in channel with items numbered 1 to items in its
// first section, none owned, a second section "Security", and two roles,
// one held by secLead.
func newLaunch(channel string, items int) *launch.Launch {
	first := &checklist.Group{Title: "Basics"}
	for n := 1; n <= items; n++ {
		first.Items = append(first.Items, &checklist.Item{Number: n, Text: fmt.Sprintf("Check %d", n), Line: n})
	}
	return &launch.Launch{
		TeamID: team, ChannelID: channel, Name: "Launch in " + channel, Date: "2026-12-01", Timezone: "UTC", Creator: creator,
		Checklist: &checklist.Checklist{
			Title: "Production Readiness",
			Sections: []*checklist.Section{
				{Index: 0, Number: 1, Title: "Infrastructure", Kind: checklist.KindReadiness, Groups: []*checklist.Group{first}},
				{Index: 1, Number: 2, Title: "Security", Kind: checklist.KindReadiness, HasSignoff: true,
					Groups: []*checklist.Group{{Title: "Access", Items: []*checklist.Item{{Number: items + 1, Text: "WAF on", Line: items + 1}}}}},
			},
			Roles: []*checklist.Role{
				{Name: "Security Lead", Holder: secLead, Verdict: checklist.VerdictPending},
				{Name: "Engineering Lead", Verdict: checklist.VerdictPending},
			},
		},
	}
}

// change is what Update applies.
type change = func(l *launch.Launch, now time.Time) ([]launch.Event, error)

// tick ticks (done) or unticks item n as the creator.
func tick(n int, done bool) change {
	return func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.SetDone(creator, []int{n}, done, now)
	}
}

// create stores l, created by the creator.
func create(t *testing.T, s *store.Store, l *launch.Launch) {
	t.Helper()
	require.NoError(t, s.CreateLaunch(context.Background(), l, creator))
	require.Positive(t, l.ID)
}

// opened opens n stores on t's database and fails t unless all opened.
func opened(t *testing.T, open Open, n int) []*store.Store {
	t.Helper()
	out := make([]*store.Store, n)
	for i := range out {
		out[i] = open(t)
		require.NotNil(t, out[i], "store %d did not open", i)
	}
	return out
}

// load reads launch id through s.
func load(t *testing.T, s *store.Store, id int64) *launch.Launch {
	t.Helper()
	l, err := s.LaunchByID(context.Background(), id)
	require.NoError(t, err)
	return l
}

// audit returns the audit rows of launch id, oldest first.
func audit(t *testing.T, s *store.Store, id int64) []launch.AuditEntry {
	t.Helper()
	rows, err := s.Audit(context.Background(), id)
	require.NoError(t, err)
	return rows
}

// kinds lists the kinds of the audit rows.
func kinds(rows []launch.AuditEntry) []launch.Kind {
	out := make([]launch.Kind, len(rows))
	for i, r := range rows {
		out[i] = r.Kind
	}
	return out
}
