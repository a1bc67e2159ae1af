package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The local console's own tables (migration 0024): its messages as opaque
// JSON documents, and its settings. They hold no launch state; the console
// reads them back at start.

// SaveConsoleMessage records a console message, or replaces the one with
// the same channel and ts.
func (s *Store) SaveConsoleMessage(ctx context.Context, channel, ts string, doc []byte) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO console_messages (channel_id, ts, doc, saved_at) VALUES (?, ?, ?, ?)
ON CONFLICT (channel_id, ts) DO UPDATE SET doc = excluded.doc, saved_at = excluded.saved_at`,
		channel, ts, string(doc), s.now().UnixMilli())
	if err != nil {
		return fmt.Errorf("save console message %s/%s: %w", channel, ts, err)
	}
	return nil
}

// DeleteConsoleMessage forgets a console message; an unknown one is no
// error.
func (s *Store) DeleteConsoleMessage(ctx context.Context, channel, ts string) error {
	if _, err := s.writer.ExecContext(ctx, `DELETE FROM console_messages WHERE channel_id = ? AND ts = ?`, channel, ts); err != nil {
		return fmt.Errorf("delete console message %s/%s: %w", channel, ts, err)
	}
	return nil
}

// ConsoleMessages returns every console message, oldest first.
func (s *Store) ConsoleMessages(ctx context.Context) ([][]byte, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT doc FROM console_messages ORDER BY channel_id, ts`)
	if err != nil {
		return nil, fmt.Errorf("list console messages: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("list console messages: %w", err)
		}
		out = append(out, []byte(doc))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list console messages: %w", err)
	}
	return out, nil
}

// ConsoleSetting returns a console setting, "" when it was never set.
func (s *Store) ConsoleSetting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.reader.QueryRowContext(ctx, `SELECT value FROM console_settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read console setting %s: %w", name, err)
	}
	return v, nil
}

// SetConsoleSetting records a console setting.
func (s *Store) SetConsoleSetting(ctx context.Context, name, value string) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO console_settings (name, value) VALUES (?, ?)
ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	if err != nil {
		return fmt.Errorf("set console setting %s: %w", name, err)
	}
	return nil
}
