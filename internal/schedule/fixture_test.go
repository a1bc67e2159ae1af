package schedule_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the zones tested exist on any machine

	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
	"github.com/golive/golive/store"
)

// nine is the default reminder time.
var nine = schedule.DefaultTimeOfDay

// testLaunch is a launch with a readiness section (one gate, failing), two
// pending roles, and seven windows like seed 000's: 1 week, 3 days and 1 day
// before launch, launch day, 1 day after, first week (+7) and first month
// (+30), each with tasks, most of them owned.
func testLaunch(channel, date, zone string) *launch.Launch {
	number := 0
	items := func(owners ...string) []*checklist.Item {
		var out []*checklist.Item
		for _, o := range owners {
			number++
			out = append(out, &checklist.Item{Number: number, Text: fmt.Sprintf("Task %d", number), Owner: o, Task: true})
		}
		return out
	}
	c := &checklist.Checklist{Title: "Test"}
	c.Sections = append(c.Sections, &checklist.Section{Index: 0, Number: 1, Title: "Security", Kind: checklist.KindReadiness,
		Groups: []*checklist.Group{{Index: 0, Items: items("UALICE", "UALICE", "", "")}}})
	windows := []struct {
		name   string
		offset int
		owners []string
	}{
		{"1 Week Before Launch", -7, []string{"UBOB", "UCAROL"}},
		{"3 Days Before Launch", -3, []string{"UCAROL", ""}},
		{"1 Day Before Launch", -1, []string{"UBOB"}},
		{"Launch Day", 0, []string{"UDAN", "UBOB"}},
		{"1 Day After Launch", 1, []string{"UCAROL"}},
		{"First Week", 7, []string{""}},
		{"First Month", 30, []string{"UDAN"}},
	}
	for si, split := range [][]int{{0, 4}, {4, 7}} {
		sec := &checklist.Section{Index: si + 1, Number: si + 2, Title: fmt.Sprintf("Tasks %d", si+1), Kind: checklist.KindWindow}
		for gi, w := range windows[split[0]:split[1]] {
			g := &checklist.Group{Index: gi, Title: w.name, Window: &checklist.WindowSpec{OffsetMinutes: w.offset * 1440}, Items: items(w.owners...)}
			win := checklist.Window{Name: w.name, OffsetMinutes: w.offset * 1440, Section: sec.Index, Group: gi}
			for _, it := range g.Items {
				win.Items = append(win.Items, it.Number)
			}
			sec.Groups = append(sec.Groups, g)
			c.Windows = append(c.Windows, win)
		}
		c.Sections = append(c.Sections, sec)
	}
	c.Gates = []checklist.Gate{{Name: "Security", Kind: checklist.GateRequired, Threshold: 100, Target: checklist.Target{Section: 0, Group: -1}}}
	c.Roles = []*checklist.Role{
		{Name: "Engineering Lead", Holder: "UERIN", Verdict: checklist.VerdictPending},
		{Name: "Security Lead", Verdict: checklist.VerdictPending},
	}
	return &launch.Launch{TeamID: "T1", ChannelID: channel, Name: "Launch " + channel, Date: date, Timezone: zone,
		Creator: "UCREATOR", Checklist: c}
}

// clock is a fake clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// post is one Post call that succeeded.
type post struct {
	Launch int64
	Kind   schedule.Kind
	Key    string
	ID     int64
	At     time.Time // the fake clock when it was posted
	Local  string    // At in the launch's zone: "2025-03-09 09:00"
	Window string    // for a window post
	// Overdue lists the overdue items a window post or a DM shows.
	Overdue []int
}

// poster records posts; fail, when set, decides per call whether it fails.
type poster struct {
	clock *clock
	mu    sync.Mutex
	posts []post
	calls map[int64]int // reminder id -> Post calls
	fail  func(l *launch.Launch, r schedule.Reminder, call int) error
}

func newPoster(c *clock) *poster { return &poster{clock: c, calls: map[int64]int{}} }

func (p *poster) Post(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) error {
	p.mu.Lock()
	p.calls[r.ID]++
	call := p.calls[r.ID]
	fail := p.fail
	p.mu.Unlock()
	if fail != nil {
		if err := fail(l, r, call); err != nil {
			return err
		}
	}
	at := p.clock.Now()
	rec := post{Launch: l.ID, Kind: r.Kind, Key: r.Key, ID: r.ID, At: at, Local: at.In(l.Location()).Format("2006-01-02 15:04")}
	switch r.Kind {
	case schedule.KindWindow:
		w, ok := schedule.Window(l, nine, r.Key)
		if !ok {
			return fmt.Errorf("no window %s", r.Key)
		}
		rec.Window = w.Name
		rec.Overdue = numbers(schedule.OverdueBefore(l, nine, w.Due))
	case schedule.KindOverdueDM:
		rec.Overdue = numbers(schedule.OverdueFor(l, nine, r.Payload.Owner, now))
	}
	p.mu.Lock()
	p.posts = append(p.posts, rec)
	p.mu.Unlock()
	return nil
}

// Posts returns the posts so far of the given kinds (all when none given),
// in order of time.
func (p *poster) Posts(kinds ...schedule.Kind) []post {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []post
	for _, x := range p.posts {
		if len(kinds) == 0 || containsKind(kinds, x.Kind) {
			out = append(out, x)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

func containsKind(ks []schedule.Kind, k schedule.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func numbers(items []*checklist.Item) []int {
	out := make([]int, len(items))
	for i, it := range items {
		out[i] = it.Number
	}
	return out
}

// instance is one golive process: a store on the shared file and a runner.
type instance struct {
	store  *store.Store
	runner *schedule.Runner
}

// start opens the database at path and a runner on it, as golive does at
// start: a sync of every launch first.
func start(t *testing.T, path string, c *clock, p schedule.Poster) *instance {
	t.Helper()
	return startWith(t, path, c, schedule.Config{Poster: p})
}

// datedOn returns l dated at midnight UTC on date, as if it had been
// created then: its windows from then on are reminded.
func datedOn(l *launch.Launch, date string) *launch.Launch {
	d, err := time.Parse(launch.DateLayout, date)
	if err != nil {
		panic(err)
	}
	l.DatedAt = d
	return l
}

// startWith is start with a runner configured by cfg (its Store and Now are set here).
func startWith(t *testing.T, path string, c *clock, cfg schedule.Config) *instance {
	t.Helper()
	s, err := store.Open(context.Background(), path)
	require.NoError(t, err)
	s.Now = c.Now
	cfg.Store, cfg.Now = s, c.Now
	r, err := schedule.New(cfg)
	require.NoError(t, err)
	require.NoError(t, r.SyncAll(context.Background()))
	in := &instance{store: s, runner: r}
	t.Cleanup(in.stop)
	return in
}

// stop closes the instance's database; stopping twice is harmless.
func (in *instance) stop() {
	if in.store != nil {
		in.store.Close()
		in.store = nil
	}
}

func dbPath(t *testing.T) string { return filepath.Join(t.TempDir(), "golive.db") }

// create stores a new launch and plans its reminders, as `new` does.
func (in *instance) create(t *testing.T, l *launch.Launch) *launch.Launch {
	t.Helper()
	require.NoError(t, in.store.CreateLaunch(context.Background(), l, l.Creator))
	require.NoError(t, in.runner.Sync(context.Background(), l.ID))
	return l
}

// runUntil runs passes of the runners at each instant something is due,
// moving the clock, until end; the runners all run each pass concurrently.
func runUntil(t *testing.T, c *clock, end time.Time, ins ...*instance) {
	t.Helper()
	ctx := context.Background()
	for {
		var wg sync.WaitGroup
		for _, in := range ins {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := in.runner.RunDue(ctx)
				require.NoError(t, err)
			}()
		}
		wg.Wait()
		next, ok, err := ins[0].store.NextReminderAt(ctx, nil)
		require.NoError(t, err)
		if !ok || next.After(end) {
			c.Set(end)
			return
		}
		require.True(t, next.After(c.Now()), "at %s a reminder due at %s was not claimed", c.Now(), next)
		c.Set(next)
	}
}

// local parses "2006-01-02 15:04" in the zone.
func local(t *testing.T, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	require.NoError(t, err)
	at, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	require.NoError(t, err)
	return at
}
