package bot

import (
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/golive/golive/store"
	"github.com/golive/golive/store/pgtest"
)

// replicaLaunches is how many launches BenchmarkTicksReplicas clicks.
const replicaLaunches = 20

// BenchmarkTicksReplicas is BenchmarkTicksManyLaunches on each database
// golive runs on, over 20 launches: SQLite, one process; PostgreSQL, one
// replica; and PostgreSQL, three replicas (three bots, each with its own
// store, connection pool and cache, on one database), the 32 clients going
// round them as a load balancer would. Every acknowledged click must be
// stored exactly once. BenchmarkCommitFloor (store) measures each
// database's raw commit rate in the same run, for reference.
func BenchmarkTicksReplicas(b *testing.B) {
	for _, c := range []struct {
		name     string
		postgres bool
		replicas int
	}{{"sqlite/replicas=1", false, 1}, {"postgres/replicas=1", true, 1}, {"postgres/replicas=3", true, 3}} {
		b.Run(c.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "golive.db")
			if c.postgres {
				path = pgtest.URL(b)
			}
			fake := newFakeSlack(b)
			replicas := make([]*harness, c.replicas)
			for i := range replicas {
				replicas[i] = startHarness(b, path, fake, func(c *Config) {
					c.Logger = newJSONLogger(io.Discard)
					c.RefreshDelay = defaultRefreshDelay
					c.ParallelWrites = c.Store.(*store.Store).Writers() // as golive serve sets it
				})
				replicas[i].srv.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = benchClients
			}
			boards := replicas[0].tickBoards(b, "CREPLICA", replicaLaunches)
			before := storedTicks(b, replicas[0], boards)
			rngs := make([]*rand.Rand, benchClients)
			for i := range rngs {
				rngs[i] = rand.New(rand.NewPCG(uint64(i), 14))
			}

			b.ResetTimer()
			var refused atomic.Int64
			lats, wall := runClients(b, b.N, func(client, i int) bool {
				h := replicas[i%len(replicas)] // round robin, as a load balancer

				if !h.clickAtRandom(b, boards, client, benchClients, rngs[client]) {
					refused.Add(1)
					return false
				}
				return true
			})
			b.StopTimer()
			for _, h := range replicas {
				h.bot.Close()
			}

			acked := len(lats)
			require.Zero(b, refused.Load())
			require.Equal(b, acked, storedTicks(b, replicas[len(replicas)-1], boards)-before, "each acknowledged tick stored exactly once")
			b.ReportMetric(float64(acked)/wall.Seconds(), "ticks/s")
			b.ReportMetric(ms(percentile(lats, 50)), "p50-ms")
			b.ReportMetric(ms(percentile(lats, 99)), "p99-ms")
		})
	}
}

// TestMain stops the PostgreSQL cluster pgtest started, once the tests ran.
func TestMain(m *testing.M) { pgtest.Main(m) }
