package store_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/golive/golive/store"
	"github.com/golive/golive/store/pgtest"
	"github.com/golive/golive/store/storetest"
)

// TestContractSQLite runs the store's contract on SQLite files.
func TestContractSQLite(t *testing.T) {
	runOnce(t)
	storetest.Run(t, opener(func(t testing.TB) string { return filepath.Join(t.TempDir(), "golive.db") }))
}

// TestContractPostgres runs the store's contract on PostgreSQL databases.
func TestContractPostgres(t *testing.T) {
	runOnce(t)
	storetest.Run(t, opener(pgtest.URL))
}

// runOnce skips t in the run of the package on PostgreSQL
// (GOLIVE_TEST_STORE=postgres, make test's second): t runs on both
// databases in the first already.
func runOnce(t *testing.T) {
	if os.Getenv("GOLIVE_TEST_STORE") == "postgres" {
		t.Skip("runs on both databases in the default run")
	}
}

// opener opens stores on one database per test, which newDatabase makes
// at the test's first call and names by its DSN.
func opener(newDatabase func(t testing.TB) string) storetest.Open {
	var mu sync.Mutex
	databases := map[*testing.T]string{}
	return func(t *testing.T) *store.Store {
		// newDatabase may end t's goroutine (a skip): the unlock is deferred.
		dsn := func() string {
			mu.Lock()
			defer mu.Unlock()
			if _, ok := databases[t]; !ok {
				databases[t] = newDatabase(t)
			}
			return databases[t]
		}()
		s, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Errorf("open the store: %v", err)
			return nil
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}
