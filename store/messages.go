package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/golive/golive/internal/launch"
)

const (
	upsertMessage = `INSERT INTO bot_messages (channel_id, ts, launch_id, kind, view, posted_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (channel_id, ts) DO UPDATE SET launch_id = excluded.launch_id, kind = excluded.kind, view = excluded.view`
	selectMessage = `SELECT channel_id, ts, launch_id, kind, view, posted_at FROM bot_messages`
)

// SaveMessage records a message the bot posted about a launch, or updates
// the record of the message with the same channel and ts (keeping the time
// it was first posted).
func (s *Store) SaveMessage(ctx context.Context, m launch.Message) error {
	if m.LaunchID <= 0 || m.ChannelID == "" || m.TS == "" {
		return fmt.Errorf("save message %+v: launch, channel and ts are all required", m)
	}
	if m.Kind != launch.MessageChecklist && m.Kind != launch.MessageStatus && m.Kind != launch.MessageReminder {
		return fmt.Errorf("save message %s/%s: unknown kind %q", m.ChannelID, m.TS, m.Kind)
	}
	posted := m.PostedAt
	if posted.IsZero() {
		posted = s.now()
	}
	_, err := s.writer.ExecContext(ctx, upsertMessage, m.ChannelID, m.TS, m.LaunchID, m.Kind, m.View, posted.UnixMilli())
	if isForeignKeyViolation(err) {
		return errNoLaunch(m.LaunchID)
	}
	if err != nil {
		return fmt.Errorf("save message %s/%s of launch %d: %w", m.ChannelID, m.TS, m.LaunchID, err)
	}
	return nil
}

// Message returns the record of a posted message, or ENOTFOUND.
func (s *Store) Message(ctx context.Context, channelID, ts string) (launch.Message, error) {
	row := s.reader.QueryRowContext(ctx, selectMessage+` WHERE channel_id = ? AND ts = ?`, channelID, ts)
	m, err := scanMessage(row)
	if errors.Is(err, sql.ErrNoRows) {
		return launch.Message{}, launch.Errorf(launch.ENOTFOUND, "golive has no record of this message.")
	}
	if err != nil {
		return launch.Message{}, fmt.Errorf("read message %s/%s: %w", channelID, ts, err)
	}
	return m, nil
}

// LiveMessages returns a launch's most recently posted messages, newest
// first, at most limit of them.
func (s *Store) LiveMessages(ctx context.Context, launchID int64, limit int) ([]launch.Message, error) {
	rows, err := s.reader.QueryContext(ctx,
		selectMessage+` WHERE launch_id = ? ORDER BY posted_at DESC, ts DESC LIMIT ?`, launchID, limit)
	if err != nil {
		return nil, fmt.Errorf("list messages of launch %d: %w", launchID, err)
	}
	defer rows.Close()
	var out []launch.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("list messages of launch %d: %w", launchID, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list messages of launch %d: %w", launchID, err)
	}
	return out, nil
}

// DeleteMessage forgets a message; forgetting an unknown one is no error.
func (s *Store) DeleteMessage(ctx context.Context, channelID, ts string) error {
	if _, err := s.writer.ExecContext(ctx, `DELETE FROM bot_messages WHERE channel_id = ? AND ts = ?`, channelID, ts); err != nil {
		return fmt.Errorf("delete message %s/%s: %w", channelID, ts, err)
	}
	return nil
}

// scanMessage reads one bot_messages row.
func scanMessage(row interface{ Scan(...any) error }) (launch.Message, error) {
	var m launch.Message
	var posted int64
	if err := row.Scan(&m.ChannelID, &m.TS, &m.LaunchID, &m.Kind, &m.View, &posted); err != nil {
		return launch.Message{}, err
	}
	m.PostedAt = time.UnixMilli(posted).UTC()
	return m, nil
}
