package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/outbox"
)

// tell returns a change that tells a notice keyed key to the launch's channel.
func tell(key string) func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
	return func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		l.Tell(launch.Post{Key: key, Kind: launch.PostNotice, Channel: l.ChannelID, Body: []byte(`{"text":"hi"}`)})
		return nil, nil
	}
}

func claimPostsAt(t *testing.T, s *Store, now time.Time) []outbox.Row {
	t.Helper()
	rows, err := s.ClaimPosts(context.Background(), outbox.Claim{Now: now, Lease: time.Minute, PerDest: 10, Limit: 100})
	require.NoError(t, err)
	return rows
}

func TestPostsAreStoredWithTheChangeOrNotAtAll(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "U1"))

	_, err := s.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		_, _ = tell("notice:1:failed")(l, now)
		return nil, errors.New("the change failed")
	})
	require.Error(t, err)
	_, err = s.Update(ctx, l.ID, tell("notice:1:a"))
	require.NoError(t, err)
	_, err = s.Update(ctx, l.ID, tell("notice:1:a")) // the same cause again
	require.NoError(t, err)

	posts, err := s.Posts(ctx, l.ID)
	require.NoError(t, err)
	require.Len(t, posts, 1)
	assert.Equal(t, "notice:1:a", posts[0].Key)
	assert.Equal(t, outbox.StatePending, posts[0].State)
	assert.Equal(t, "C1", posts[0].Channel)
}

func TestUpdateManyKeepsThePostsOfTheChangesStored(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "U1"))
	errs, err := s.UpdateMany(ctx, []launch.Changes{{ID: l.ID, Fns: []func(*launch.Launch, time.Time) ([]launch.Event, error){
		tell("notice:kept:1"),
		func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
			_, _ = tell("notice:undone")(l, now)
			panic("a bug in this change")
		},
		func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
			_, _ = tell("notice:failed")(l, now)
			return nil, errors.New("refused")
		},
		tell("notice:kept:2"),
	}}})
	require.NoError(t, err)
	assert.NoError(t, errs[0][0])
	assert.Error(t, errs[0][1])
	assert.Error(t, errs[0][2])
	posts, err := s.Posts(ctx, l.ID)
	require.NoError(t, err)
	var keys []string
	for _, p := range posts {
		keys = append(keys, p.Key)
	}
	assert.Equal(t, []string{"notice:kept:1", "notice:kept:2"}, keys)
}

func TestLaunchRefusedLeavesNoPost(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	first := fullLaunch("C1")
	first.Tell(launch.Post{Kind: launch.PostImportNotice, Channel: "C1", Body: []byte(`{"text":"started"}`)})
	require.NoError(t, s.CreateLaunch(ctx, first, "U1"))
	again := fullLaunch("C1")
	again.Tell(launch.Post{Kind: launch.PostImportNotice, Channel: "C1", Body: []byte(`{"text":"started"}`)})
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(s.CreateLaunch(ctx, again, "U1")))

	rows := claimPostsAt(t, s, time.Now())
	require.Len(t, rows, 1)
	assert.Equal(t, fmt.Sprintf("import:%d", first.ID), rows[0].Key, "keyed by the new launch's id")
}

// TestExpiredClaimCannotComplete: once a claim's lease has run out, the
// database refuses its start and its finish, and another claim takes the
// row; renewing it in time keeps it.
func TestExpiredClaimCannotComplete(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "U1"))
	_, err := s.Update(ctx, l.ID, tell("notice:x"))
	require.NoError(t, err)
	t0 := time.Now()

	mine := claimPostsAt(t, s, t0)
	require.Len(t, mine, 1)
	assert.Empty(t, claimPostsAt(t, s, t0.Add(30*time.Second)), "held")
	n, err := s.RenewPosts(ctx, mine[0].Token, t0.Add(50*time.Second), time.Minute)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Empty(t, claimPostsAt(t, s, t0.Add(100*time.Second)), "renewed")

	late := t0.Add(3 * time.Minute)
	assert.ErrorIs(t, s.StartSending(ctx, mine[0], late, time.Minute), outbox.ErrLeaseLost)
	assert.ErrorIs(t, s.FinishPost(ctx, mine[0], outbox.Finish{State: outbox.StateSent, At: late, TS: "1.2"}), outbox.ErrLeaseLost)
	n, err = s.RenewPosts(ctx, mine[0].Token, late, time.Minute)
	require.NoError(t, err)
	assert.Zero(t, n, "a lapsed lease stays lapsed")

	theirs := claimPostsAt(t, s, late)
	require.Len(t, theirs, 1)
	require.NoError(t, s.StartSending(ctx, theirs[0], late, time.Minute))
	assert.ErrorIs(t, s.FinishPost(ctx, mine[0], outbox.Finish{State: outbox.StateSent, At: late, TS: "1.2"}), outbox.ErrLeaseLost,
		"the old claim cannot finish what the new one holds")
	require.NoError(t, s.FinishPost(ctx, theirs[0], outbox.Finish{State: outbox.StateSent, At: late, TS: "1.3"}))

	posts, err := s.Posts(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, outbox.StateSent, posts[0].State)
	assert.Equal(t, "1.3", posts[0].TS)
	assert.Equal(t, 1, posts[0].Attempts)
}

// TestPostCutWhileSendingIsRecoveredInDoubt: a row whose sender died
// during the call comes back "sending", for the next sender to know Slack
// may have it.
func TestPostCutWhileSendingIsRecoveredInDoubt(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "U1"))
	_, err := s.Update(ctx, l.ID, tell("notice:x"))
	require.NoError(t, err)
	t0 := time.Now()
	rows := claimPostsAt(t, s, t0)
	require.NoError(t, s.StartSending(ctx, rows[0], t0, time.Minute))
	again := claimPostsAt(t, s, t0.Add(2*time.Minute))
	require.Len(t, again, 1)
	assert.Equal(t, outbox.StateSending, again[0].State)
}

func TestTwoStoresClaimEachPostOnce(t *testing.T) {
	ctx := context.Background()
	s, path := openStore(t)
	other, err := Open(ctx, path)
	require.NoError(t, err)
	defer other.Close()
	const n = 40
	for i := range n {
		l := fullLaunch(fmt.Sprintf("C%d", i))
		require.NoError(t, s.CreateLaunch(ctx, l, "U1"))
		_, err := s.Update(ctx, l.ID, tell(fmt.Sprintf("notice:%d", i)))
		require.NoError(t, err)
	}
	now := time.Now()
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for _, st := range []*Store{s, other, s, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				rows, err := st.ClaimPosts(ctx, outbox.Claim{Now: now, Lease: time.Minute, PerDest: 1, Limit: 3})
				if !assert.NoError(t, err) || len(rows) == 0 {
					return
				}
				mu.Lock()
				for _, r := range rows {
					seen[r.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Len(t, seen, n)
	for id, c := range seen {
		assert.Equal(t, 1, c, "post %d", id)
	}
}

// TestPendingNoticesMoveOntoTheOutbox: the notices `golive import` left
// before the outbox are delivered by it.
func TestPendingNoticesMoveOntoTheOutbox(t *testing.T) {
	ctx := context.Background()
	ms, err := embeddedMigrations()
	require.NoError(t, err)
	v := -1
	for i, m := range ms {
		if m.name == "0011_pending_notices.sql" {
			v = i + 1
		}
	}
	require.Positive(t, v)
	path, id := oldDatabase(t, v)
	old, err := open(ctx, path, ms[:v])
	require.NoError(t, err)
	_, err = old.writer.ExecContext(ctx, `INSERT INTO pending_notices (launch_id, text, created_at) VALUES (?, 'launch <started>', 1764700000000)`, id)
	require.NoError(t, err)
	require.NoError(t, old.Close())

	s, err := Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	posts, err := s.Posts(ctx, id)
	require.NoError(t, err)
	require.Len(t, posts, 1)
	assert.Equal(t, fmt.Sprintf("import:%d", id), posts[0].Key)
	assert.Equal(t, launch.PostImportNotice, posts[0].Kind)
	assert.Equal(t, "C1", posts[0].Channel)
	assert.JSONEq(t, `{"notice":"launch <started>"}`, string(posts[0].Body))
	assert.Equal(t, outbox.StatePending, posts[0].State)
}

// TestClaimedStaleNoticesAreRecordedAsSent: the stale notices posted before
// the outbox are in it, as sent, so that none is told again.
func TestClaimedStaleNoticesAreRecordedAsSent(t *testing.T) {
	ctx := context.Background()
	ms, err := embeddedMigrations()
	require.NoError(t, err)
	v := -1
	for i, m := range ms {
		if m.name == "0019_stale_notices_outbox.sql" {
			v = i
		}
	}
	require.Positive(t, v)
	path, id := oldDatabase(t, v)
	old, err := open(ctx, path, ms[:v])
	require.NoError(t, err)
	_, err = old.writer.ExecContext(ctx, `INSERT INTO stale_notices (launch_id, announced_at, noticed_at) VALUES (?, 1764700000000, 1764700100000)`, id)
	require.NoError(t, err)
	require.NoError(t, old.Close())

	s, err := Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	told, err := s.Told(ctx, fmt.Sprintf("stale:%d:1764700000000", id))
	require.NoError(t, err)
	assert.True(t, told)
	posts, err := s.Posts(ctx, id)
	require.NoError(t, err)
	require.Len(t, posts, 1)
	assert.Equal(t, outbox.StateSent, posts[0].State)
	waiting, err := s.PostsWaiting(ctx)
	require.NoError(t, err)
	assert.Zero(t, waiting)
}
