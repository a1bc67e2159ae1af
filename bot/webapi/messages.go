package webapi

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Message is a message as the workspace holds it.
type Message struct {
	Channel  string          `json:"channel"`
	TS       string          `json:"ts"`
	User     string          `json:"user"`
	Text     string          `json:"text"`
	Blocks   json.RawMessage `json:"blocks,omitempty"`
	Metadata json.RawMessage `json:"metadata,omitempty"`
	Files    []string        `json:"files,omitempty"`
	// For is the one member who sees an ephemeral message.
	For    string `json:"for,omitempty"`
	Edited bool   `json:"edited,omitempty"`
}

// Load puts back messages kept before a restart.
func (s *Server) Load(msgs []Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range msgs {
		m := m
		s.messages[m.Channel] = append(s.messages[m.Channel], &m)
		s.lastTS = max(s.lastTS, tsMicros(m.TS))
	}
	for _, list := range s.messages {
		sort.Slice(list, func(i, j int) bool { return tsMicros(list[i].TS) < tsMicros(list[j].TS) })
	}
}

// nextTS returns a new message ts: the workspace's time in Slack's
// "seconds.micros" form, always after the last one given. s.mu is held.
func (s *Server) nextTS() string {
	us := max(s.now().UnixMicro(), s.lastTS+1)
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// tsMicros reads a ts back into microseconds, 0 when it is malformed.
func tsMicros(ts string) int64 {
	sec, frac, ok := strings.Cut(ts, ".")
	if !ok {
		frac = "0"
	}
	n, err1 := strconv.ParseInt(sec, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return n*1e6 + f
}

// Changed marks the workspace's pages stale.
func (s *Server) Changed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version++
}

// Version counts the changes so far: a page polls it to know when to
// redraw.
func (s *Server) Version() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// keep tells the keeper of m; s.mu is not held: it may be slow.
func (s *Server) keep(ctx context.Context, m Message) {
	if s.keeper != nil {
		// The message is shown already: it is kept even if the caller
		// gave up waiting.
		s.keeper.KeepMessage(context.WithoutCancel(ctx), m)
	}
}

// Add appends a new message to its conversation, dated now, and returns it.
func (s *Server) Add(ctx context.Context, m Message) Message {
	s.mu.Lock()
	m.TS = s.nextTS()
	s.messages[m.Channel] = append(s.messages[m.Channel], &m)
	s.version++
	saved := m
	s.mu.Unlock()
	s.keep(ctx, saved)
	return saved
}

// Replace changes a message in place, keeping its channel, ts and author;
// false when there is no such message.
func (s *Server) Replace(ctx context.Context, channel, ts string, edit func(m *Message)) (Message, bool) {
	s.mu.Lock()
	var found *Message
	for _, m := range s.messages[channel] {
		if m.TS == ts {
			found = m
			break
		}
	}
	if found == nil {
		s.mu.Unlock()
		return Message{}, false
	}
	edit(found)
	found.Edited = true
	s.version++
	saved := *found
	s.mu.Unlock()
	s.keep(ctx, saved)
	return saved, true
}

// Remove deletes a message; false when there was no such message.
func (s *Server) Remove(ctx context.Context, channel, ts string) bool {
	s.mu.Lock()
	list := s.messages[channel]
	found := false
	for i, m := range list {
		if m.TS == ts {
			s.messages[channel] = append(list[:i:i], list[i+1:]...)
			found = true
			break
		}
	}
	if found {
		s.version++
	}
	s.mu.Unlock()
	if found && s.keeper != nil {
		s.keeper.ForgetMessage(context.WithoutCancel(ctx), channel, ts)
	}
	return found
}

// Message returns a copy of the message with ts in channel.
func (s *Server) Message(channel, ts string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.messages[channel] {
		if m.TS == ts {
			return *m, true
		}
	}
	return Message{}, false
}

// MessageAt returns a copy of the message with ts, in any conversation.
func (s *Server) MessageAt(ts string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, list := range s.messages {
		for _, m := range list {
			if m.TS == ts {
				return *m, true
			}
		}
	}
	return Message{}, false
}

// Messages returns a conversation's messages that user may see, oldest
// first: everyone's, and the ephemeral ones for user ("" sees no
// ephemeral message).
func (s *Server) Messages(channel, user string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages[channel] {
		if m.For == "" || m.For == user {
			out = append(out, *m)
		}
	}
	return out
}

// AllMessages returns every message, ephemeral ones too, by conversation
// and then oldest first.
func (s *Server) AllMessages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	channels := make([]string, 0, len(s.messages))
	for ch := range s.messages {
		channels = append(channels, ch)
	}
	sort.Strings(channels)
	var out []Message
	for _, ch := range channels {
		for _, m := range s.messages[ch] {
			out = append(out, *m)
		}
	}
	return out
}

// LastPosted returns the ts of the latest message the bot posted for
// everyone to see, "" when none.
func (s *Server) LastPosted() string {
	latest := ""
	for _, m := range s.AllMessages() {
		if m.User == s.team.BotUser && m.For == "" && tsMicros(m.TS) > tsMicros(latest) {
			latest = m.TS
		}
	}
	return latest
}

// Empty says whether no conversation has a message yet.
func (s *Server) Empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, list := range s.messages {
		if len(list) > 0 {
			return false
		}
	}
	return true
}
