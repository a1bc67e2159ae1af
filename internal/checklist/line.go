package checklist

import "strings"

// line is one line of the document as the readers of gates, roles and
// sign-offs see it.
type line struct {
	n    int    // 1-based line number
	raw  string // the line as written, without its newline
	text string // an item's text without marker and box, or the trimmed line
	box  bool   // a checkbox list item
	done bool   // its box is ticked
}

// markerLen returns the length of a list marker at the start of s ("-", "*",
// "+", "12." or "3)"), 0 when there is none.
func markerLen(s string) int {
	if s == "" {
		return 0
	}
	switch s[0] {
	case '-', '*', '+':
		return 1
	}
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') {
		return i + 1
	}
	return 0
}

// itemLike tells why a line that is not an item still looks like one, ""
// when it does not. rest is the line without its indent.
func itemLike(rest string) string {
	body := rest
	bulleted := false
	if m := markerLen(rest); m > 0 && m < len(rest) {
		switch rest[m] {
		case ' ', '\t':
			body, bulleted = strings.TrimLeft(rest[m:], " \t"), true
		case '[':
			if boxAt(rest[m:]) > 0 {
				return "no space between the list marker and the box: write \"- [ ] text\""
			}
		}
	}
	if n := boxAt(body); n > 0 {
		inner := body[1 : n-1]
		switch {
		case countBoxes(body) > 1:
			return "several checkboxes on one line are not items: write one \"- [ ] text\" per line"
		case inner == "":
			return "empty brackets: write \"[ ]\" for an open item, \"[x]\" for a done one"
		case inner != " " && inner != "x" && inner != "X":
			return "unknown box \"" + body[:n] + "\": write \"[ ]\" or \"[x]\""
		case n < len(body) && body[n] != ' ' && body[n] != '\t':
			return "no space after the box: write \"- [ ] text\""
		case n == len(body) || strings.TrimSpace(body[n:]) == "":
			return "a checkbox without text"
		case !bulleted:
			return "a checkbox without a list marker: write \"- [ ] text\""
		}
	}
	switch countBoxes(body) {
	case 0:
		return ""
	case 1:
		return "a checkbox inside a line is not an item: write \"- [ ] text\" on a line of its own"
	}
	return "several checkboxes on one line are not items: write one \"- [ ] text\" per line"
}

// countBoxes counts the boxes "[ ]", "[x]" and "[X]" in s, links "[x](url)" aside.
func countBoxes(s string) int {
	n := 0
	for i := strings.IndexByte(s, '['); i >= 0 && i+2 < len(s); {
		if s[i+2] == ']' && (s[i+1] == ' ' || s[i+1] == 'x' || s[i+1] == 'X') && (i+3 == len(s) || s[i+3] != '(' && s[i+3] != '[') {
			n++
		}
		next := strings.IndexByte(s[i+1:], '[')
		if next < 0 {
			break
		}
		i += next + 1
	}
	return n
}

// boxAt returns the length of a box such as "[ ]", "[]", "[x]" or "[ x ]"
// at the start of s, 0 when there is none. A Markdown link "[x](url)" is no box.
func boxAt(s string) int {
	if len(s) < 2 || s[0] != '[' {
		return 0
	}
	end := strings.IndexByte(s, ']')
	if end < 0 || end > 4 {
		return 0
	}
	for _, c := range s[1:end] {
		if c != ' ' && c != 'x' && c != 'X' && c != '-' && c != '*' && c != 'v' && c != '/' {
			return 0
		}
	}
	if end+1 < len(s) && (s[end+1] == '(' || s[end+1] == '[') {
		return 0
	}
	return end + 1
}

// containsAny is a cheap filter run before a regular expression.
func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// containsFold tells whether s holds any of the lower-case ASCII subs,
// ignoring ASCII case, without allocating.
func containsFold(s string, subs ...string) bool {
	for _, sub := range subs {
		for i := 0; i+len(sub) <= len(s); i++ {
			j := 0
			for j < len(sub) && lowerASCII(s[i+j]) == sub[j] {
				j++
			}
			if j == len(sub) {
				return true
			}
		}
	}
	return false
}

func lowerASCII(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func containsSuffix(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

func isWordByte(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_'
}
