package store

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

// benchLaunch stores the seed 000 checklist (the web template) and returns
// it with its item numbers.
func benchLaunch(b *testing.B) (*Store, *launch.Launch, []int) {
	s, _ := openStore(b)
	s.Now = time.Now
	l := templateLaunch(b, "web", "C1")
	require.NoError(b, s.CreateLaunch(context.Background(), l, "UCREATOR"))
	var numbers []int
	for _, it := range l.Checklist.Items() {
		numbers = append(numbers, it.Number)
	}
	return s, l, numbers
}

// BenchmarkTick ticks or unticks one item of the seed 000 checklist per
// operation, through Update: load the launch, change it, write the item and
// its audit row, commit durably (synchronous=FULL). It reports the latency
// percentiles too.
func BenchmarkTick(b *testing.B) {
	s, l, numbers := benchLaunch(b)
	ctx := context.Background()
	b.Logf("%d items", len(numbers))
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := numbers[i%len(numbers)]
		done := (i/len(numbers))%2 == 0
		start := time.Now()
		_, err := s.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
			return l.SetDone(l.Creator, []int{n}, done, now)
		})
		latencies = append(latencies, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportPercentiles(b, latencies)
}

// BenchmarkTickParallel is ticking under contention: 32 goroutines on one
// launch, as in a busy channel. ns/op is the inverse of throughput.
func BenchmarkTickParallel(b *testing.B) {
	s, l, numbers := benchLaunch(b)
	ctx := context.Background()
	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			n := numbers[i%len(numbers)]
			i++
			_, err := s.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
				it := l.Checklist.Item(n)
				return l.SetDone(l.Creator, []int{n}, !it.Done, now)
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkUpdateManyLaunches is the transaction the bot makes when 32
// clicks on 32 of 200 launches (seed 000, 252 items each) arrive together:
// one UpdateMany carrying one tick for each, with its audit row, committed
// durably once. Its sub-benchmark "apart" stores the same 32 ticks in 32
// transactions, as each launch had its own before. ns/op is per tick.
func BenchmarkUpdateManyLaunches(b *testing.B) {
	const launches, together = 200, 32
	s, _ := openStore(b)
	s.Now = time.Now
	ctx := context.Background()
	ids := make([]int64, launches)
	var numbers []int
	for i := range ids {
		l := templateLaunch(b, "web", fmt.Sprintf("C%03d", i))
		require.NoError(b, s.CreateLaunch(ctx, l, "UCREATOR"))
		ids[i] = l.ID
		if numbers == nil {
			for _, it := range l.Checklist.Items() {
				numbers = append(numbers, it.Number)
			}
		}
	}
	toggle := func(n int) func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
			return l.SetDone(l.Creator, []int{n}, !l.Checklist.Item(n).Done, now)
		}
	}
	// batch returns the i-th group of ticks: 32 distinct launches, one
	// item each, going round all of them.
	batch := func(i int) []launch.Changes {
		out := make([]launch.Changes, together)
		for k := range out {
			j := i*together + k
			out[k] = launch.Changes{ID: ids[j%launches], Fns: []func(*launch.Launch, time.Time) ([]launch.Event, error){toggle(numbers[(j/launches)%len(numbers)])}}
		}
		return out
	}
	for i := range launches / together { // every launch read once, as a warm server has
		_, err := s.UpdateMany(ctx, batch(i))
		require.NoError(b, err)
	}
	b.Run("together", func(b *testing.B) {
		for i := 0; i < b.N; i += together {
			errs, err := s.UpdateMany(ctx, batch(i/together))
			require.NoError(b, err)
			for _, e := range errs {
				require.NoError(b, e[0])
			}
		}
	})
	b.Run("apart", func(b *testing.B) {
		for i := 0; i < b.N; i += together {
			for _, c := range batch(i / together) {
				_, err := s.Update(ctx, c.ID, c.Fns[0])
				require.NoError(b, err)
			}
		}
	})
}

// BenchmarkCommitFloor is the least a durable write costs on each
// database, the reference for the tick benchmarks: one row updated and
// committed (SQLite with synchronous=FULL, PostgreSQL with
// synchronous_commit=on), from 1 connection and from 32 at once on 32
// distinct rows. BenchmarkTick's figures minus these are golive's own cost.
func BenchmarkCommitFloor(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, clients := range []int{1, 32} {
			b.Run(fmt.Sprintf("%s/clients=%d", backend, clients), func(b *testing.B) {
				s := openBackend(b, backend)
				ctx := context.Background()
				_, err := s.writer.ExecContext(ctx, `CREATE TABLE bench_floor (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`)
				require.NoError(b, err)
				for i := range clients {
					_, err := s.writer.ExecContext(ctx, `INSERT INTO bench_floor (id, n) VALUES (?, 0)`, i)
					require.NoError(b, err)
				}
				latencies := make([]time.Duration, b.N)
				var next atomic.Int64
				var wg sync.WaitGroup
				b.ResetTimer()
				start := time.Now()
				for c := range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							i := next.Add(1) - 1
							if i >= int64(b.N) {
								return
							}
							began := time.Now()
							if err := commitOne(ctx, s, c); err != nil {
								b.Error(err)
								return
							}
							latencies[i] = time.Since(began)
						}
					}()
				}
				wg.Wait()
				wall := time.Since(start)
				b.StopTimer()
				b.ReportMetric(float64(b.N)/wall.Seconds(), "commits/s")
				reportPercentiles(b, latencies)
			})
		}
	}
}

// commitOne adds one to row id of bench_floor in a transaction of its own.
func commitOne(ctx context.Context, s *Store, id int) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE bench_floor SET n = n + 1 WHERE id = ?`, id); err != nil {
		return err
	}
	return tx.Commit()
}

// BenchmarkLaunchByChannel is the read a status or checklist message makes.
func BenchmarkLaunchByChannel(b *testing.B) {
	s, _, _ := benchLaunch(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.LaunchByChannel(ctx, "T1", "C1"); err != nil {
			b.Fatal(err)
		}
	}
}

func reportPercentiles(b *testing.B, latencies []time.Duration) {
	slices.Sort(latencies)
	at := func(p float64) float64 {
		i := int(p * float64(len(latencies)-1))
		return float64(latencies[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(at(1), "max-ms")
}
