package delivery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the zones tested exist on any machine

	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/outbox"
	"github.com/golive/golive/internal/schedule"
	"github.com/golive/golive/internal/schedule/scheduletest"
	"github.com/golive/golive/store"
)

// nine is the default reminder time.
var nine = schedule.DefaultTimeOfDay

// testLaunch is scheduletest.Launch, subDayLaunch scheduletest.SubDayLaunch.
var (
	testLaunch   = scheduletest.Launch
	subDayLaunch = scheduletest.SubDayLaunch
)

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

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// post is one message the fake Slack took.
type post struct {
	Launch int64
	Kind   schedule.Kind
	Key    string // the reminder's
	ID     int64  // the reminder's
	// PostKey is the outbox's idempotency key.
	PostKey string
	At      time.Time // the fake clock when it was posted
	Local   string    // At in the launch's zone: "2025-03-09 09:00"
	Window  string    // for a window post
	// Overdue lists the overdue items a window post or a DM shows, as they
	// stood when the reminder came due.
	Overdue []int
}

// rendered is the body the fake renderer writes: what the reminder says,
// for the fake Slack to record.
type rendered struct {
	Launch  int64
	Kind    schedule.Kind
	Key     string
	ID      int64
	Zone    string
	Window  string
	Overdue []int
}

// renderer is a fake delivery.Renderer: one message per reminder, in the
// launch's channel or to the person a DM is for.
type renderer struct{}

func (f renderer) Render(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) (delivery.Rendered, error) {
	msgs, err := f.messages(ctx, l, r, now)
	return delivery.Rendered{Messages: msgs}, err
}

// messages is what Render returns, as a rendererFunc returns it.
func (renderer) messages(_ context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) ([]delivery.Message, error) {
	rec := rendered{Launch: l.ID, Kind: r.Kind, Key: r.Key, ID: r.ID, Zone: l.Timezone}
	switch r.Kind {
	case schedule.KindWindow:
		w, ok := schedule.Window(l, nine, r.Key)
		if !ok {
			return nil, fmt.Errorf("no window %s", r.Key)
		}
		rec.Window = w.Name
		rec.Overdue = numbers(schedule.OverdueBefore(l, nine, w.Due))
	case schedule.KindOverdueDM:
		rec.Overdue = numbers(schedule.OverdueFor(l, nine, r.Payload.Owner, now))
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	m := delivery.Message{Kind: launch.PostReminder, Channel: l.ChannelID, Body: body}
	if r.Payload.Owner != "" {
		m.Channel, m.User = "", r.Payload.Owner
	}
	return []delivery.Message{m}, nil
}

// poster is a fake Slack, the delivery's Transport: it records what it
// took; fail, when set, decides per call whether it fails.
type poster struct {
	clock *clock
	mu    sync.Mutex
	posts []post
	calls map[int64]int // reminder id -> Send calls
	fail  func(x post, call int) error
}

func newPoster(c *clock) *poster { return &poster{clock: c, calls: map[int64]int{}} }

func (p *poster) Send(_ context.Context, r outbox.Row) (string, error) {
	var rec rendered
	if err := json.Unmarshal(r.Body, &rec); err != nil {
		return "", outbox.Refused(err)
	}
	x := post{Launch: rec.Launch, Kind: rec.Kind, Key: rec.Key, ID: rec.ID, PostKey: r.Key, Window: rec.Window, Overdue: rec.Overdue}
	p.mu.Lock()
	p.calls[rec.ID]++
	call := p.calls[rec.ID]
	fail := p.fail
	p.mu.Unlock()
	if fail != nil {
		if err := fail(x, call); err != nil {
			return "", err
		}
	}
	loc, err := time.LoadLocation(rec.Zone)
	if err != nil {
		return "", outbox.Refused(err)
	}
	x.At = p.clock.Now()
	x.Local = x.At.In(loc).Format("2006-01-02 15:04")
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posts = append(p.posts, x)
	return fmt.Sprintf("%d.%06d", x.At.Unix(), len(p.posts)), nil
}

// Posts returns the posts so far of the given kinds (all when none given),
// in order of time.
func (p *poster) Posts(kinds ...schedule.Kind) []post {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []post
	for _, x := range p.posts {
		if len(kinds) == 0 || slices.Contains(kinds, x.Kind) {
			out = append(out, x)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// transportFunc is a Transport made of a function.
type transportFunc func(ctx context.Context, r outbox.Row) (string, error)

func (f transportFunc) Send(ctx context.Context, r outbox.Row) (string, error) { return f(ctx, r) }

// reminderOf reads the reminder a row of the outbox posts.
func reminderOf(r outbox.Row) rendered {
	var rec rendered
	if err := json.Unmarshal(r.Body, &rec); err != nil {
		panic(err)
	}
	return rec
}

func numbers(items []*checklist.Item) []int {
	out := make([]int, len(items))
	for i, it := range items {
		out[i] = it.Number
	}
	return out
}

// instance is one golive process: a store on the shared file and its
// delivery.
type instance struct {
	store  *store.Store
	runner *delivery.Delivery
}

// start opens the database at path and a delivery on it posting through
// tr, as golive does at start: a sync of every launch first.
func start(t *testing.T, path string, c *clock, tr outbox.Transport) *instance {
	t.Helper()
	return startWith(t, path, c, delivery.Config{Transport: tr})
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

// startWith is start with a delivery configured by cfg (its Store and Now
// are set here, and its Renderer unless given).
func startWith(t *testing.T, path string, c *clock, cfg delivery.Config) *instance {
	t.Helper()
	s, err := store.Open(context.Background(), path)
	require.NoError(t, err)
	s.Now = c.Now
	cfg.Store, cfg.Now = s, c.Now
	if cfg.Renderer == nil {
		cfg.Renderer = renderer{}
	}
	r, err := delivery.New(cfg)
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

// runUntil runs passes of the instances at each instant something is due,
// moving the clock, until end; they all run each pass concurrently.
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
		next, ok, err := ins[0].runner.NextAt(ctx)
		require.NoError(t, err)
		if !ok || next.After(end) {
			c.Set(end)
			return
		}
		require.True(t, next.After(c.Now()), "at %s a reminder or post due at %s was not claimed", c.Now(), next)
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
