package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"
)

// sqliteDriver opens the connections of every pool the store uses.
var sqliteDriver = &sqlite3.SQLiteDriver{}

// openDB opens a pool on dsn whose connections tell the store about every
// statement, transaction start or commit that fails (busy or locked, for
// the metric; corrupt, for readiness), whichever file of the store runs it.
func (s *Store) openDB(dsn string) *sql.DB {
	return sql.OpenDB(busyConnector{dsn: dsn, busy: s.failed})
}

// openWriter is openDB for the pool that writes: each commit is also
// checked to have reached the file that a restart will open.
func (s *Store) openWriter(dsn string) *sql.DB {
	return sql.OpenDB(busyConnector{dsn: dsn, busy: s.failed, committed: s.checkCommit})
}

// failed calls OnBusy, when set, for a failure with SQLITE_BUSY or
// SQLITE_LOCKED, and remembers a corrupt or full database for readiness.
func (s *Store) failed(err error) {
	if s.OnBusy != nil && isBusy(err) {
		s.OnBusy()
	}
	s.noteFailure(err)
}

// isBusy tells whether err is SQLite being busy or locked.
func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// busyConnector opens SQLite connections that report their failures to
// busy and, when committed is set, check each commit with it.
type busyConnector struct {
	dsn       string
	busy      func(error)
	committed func() error
}

func (c busyConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := sqliteDriver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(*sqlite3.SQLiteConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("sqlite3 opened a %T, not a *sqlite3.SQLiteConn", conn)
	}
	return &busyConn{SQLiteConn: sc, busy: c.busy, committed: c.committed}, nil
}

func (c busyConnector) Driver() driver.Driver { return sqliteDriver }

// busyConn is a SQLite connection whose statements and transactions report
// their failures. Embedding keeps every other method, so database/sql sees
// the same optional interfaces as on the bare connection.
type busyConn struct {
	*sqlite3.SQLiteConn
	busy      func(error)
	committed func() error
}

// BeginTx is where the single writer waits for the write lock (BEGIN
// IMMEDIATE), and so where a busy database shows first.
func (c *busyConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.SQLiteConn.BeginTx(ctx, opts)
	if err != nil {
		c.busy(err)
		return nil, err
	}
	return busyTx{Tx: tx, busy: c.busy, committed: c.committed}, nil
}

// ExecContext outside a transaction commits on its own (SQLite's
// autocommit), so it is checked like a commit.
func (c *busyConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	res, err := c.SQLiteConn.ExecContext(ctx, query, args)
	if err != nil {
		c.busy(err)
		return res, err
	}
	if c.committed != nil && c.AutoCommit() {
		if err := c.committed(); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// QueryContext reports failures of the query's first step, which the
// driver takes before returning the rows.
func (c *busyConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.SQLiteConn.QueryContext(ctx, query, args)
	if err != nil {
		c.busy(err)
	}
	return rows, err
}

// PrepareContext wraps the statement so that its failures are reported
// too: the store prepares the statements it runs thousands of times in one
// transaction (a large launch's items).
func (c *busyConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.SQLiteConn.PrepareContext(ctx, query)
	if err != nil {
		c.busy(err)
		return nil, err
	}
	ss, ok := st.(*sqlite3.SQLiteStmt)
	if !ok {
		st.Close()
		return nil, fmt.Errorf("sqlite3 prepared a %T, not a *sqlite3.SQLiteStmt", st)
	}
	return busyStmt{SQLiteStmt: ss, conn: c}, nil
}

// busyStmt is a prepared statement of a busyConn, checked like its
// connection's own statements.
type busyStmt struct {
	*sqlite3.SQLiteStmt
	conn *busyConn
}

func (s busyStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	res, err := s.SQLiteStmt.ExecContext(ctx, args)
	if err != nil {
		s.conn.busy(err)
		return res, err
	}
	if s.conn.committed != nil && s.conn.AutoCommit() {
		if err := s.conn.committed(); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (s busyStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := s.SQLiteStmt.QueryContext(ctx, args)
	if err != nil {
		s.conn.busy(err)
	}
	return rows, err
}

// busyTx reports a commit that fails, and checks one that succeeds.
type busyTx struct {
	driver.Tx
	busy      func(error)
	committed func() error
}

func (t busyTx) Commit() error {
	if err := t.Tx.Commit(); err != nil {
		t.busy(err)
		return err
	}
	if t.committed != nil {
		return t.committed()
	}
	return nil
}
