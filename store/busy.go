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
// statement, transaction start or commit that fails because SQLite is busy
// or locked, whichever file of the store runs it.
func (s *Store) openDB(dsn string) *sql.DB {
	return sql.OpenDB(busyConnector{dsn: dsn, busy: s.busy})
}

// busy calls OnBusy, when set, for a failure with SQLITE_BUSY or SQLITE_LOCKED.
func (s *Store) busy(err error) {
	if s.OnBusy != nil && isBusy(err) {
		s.OnBusy()
	}
}

// isBusy tells whether err is SQLite being busy or locked.
func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// busyConnector opens SQLite connections that report their failures to busy.
type busyConnector struct {
	dsn  string
	busy func(error)
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
	return &busyConn{SQLiteConn: sc, busy: c.busy}, nil
}

func (c busyConnector) Driver() driver.Driver { return sqliteDriver }

// busyConn is a SQLite connection whose statements and transactions report
// their failures. Embedding keeps every other method, so database/sql sees
// the same optional interfaces as on the bare connection.
type busyConn struct {
	*sqlite3.SQLiteConn
	busy func(error)
}

// BeginTx is where the single writer waits for the write lock (BEGIN
// IMMEDIATE), and so where a busy database shows first.
func (c *busyConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.SQLiteConn.BeginTx(ctx, opts)
	if err != nil {
		c.busy(err)
		return nil, err
	}
	return busyTx{Tx: tx, busy: c.busy}, nil
}

func (c *busyConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	res, err := c.SQLiteConn.ExecContext(ctx, query, args)
	if err != nil {
		c.busy(err)
	}
	return res, err
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

// busyTx reports a commit that fails.
type busyTx struct {
	driver.Tx
	busy func(error)
}

func (t busyTx) Commit() error {
	err := t.Tx.Commit()
	if err != nil {
		t.busy(err)
	}
	return err
}
