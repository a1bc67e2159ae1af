package metrics

import "sync"

// maxLabelValues caps the distinct values one label takes, so that a bug
// that passes user text as a kind cannot grow the series without bound.
const maxLabelValues = 100

// otherLabel replaces label values that are malformed or over the cap.
const otherLabel = "other"

// boundedLabel admits label values until it has seen maxLabelValues of them.
type boundedLabel struct {
	mu   sync.Mutex
	seen map[string]struct{}
}

func newBoundedLabel() *boundedLabel {
	return &boundedLabel{seen: make(map[string]struct{})}
}

// value returns v when it is a well-formed value within the cap, else "other".
func (b *boundedLabel) value(v string) string {
	if !wellFormed(v) {
		return otherLabel
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.seen[v]; ok {
		return v
	}
	if len(b.seen) >= maxLabelValues {
		return otherLabel
	}
	b.seen[v] = struct{}{}
	return v
}

// wellFormed accepts identifiers such as "tick", "chat.postMessage" or
// "not_in_channel": letters, digits, '_', '.', '-', at most 64 of them.
func wellFormed(v string) bool {
	if v == "" || len(v) > 64 {
		return false
	}
	for _, r := range v {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-'
		if !ok {
			return false
		}
	}
	return true
}
