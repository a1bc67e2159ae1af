package store

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// bound is a query of the store's (SQLite's ? and @name placeholders)
// rewritten for PostgreSQL ($1, $2, ...).
type bound struct {
	query string
	// names[i] is the name of $i+1's parameter, when the query names them.
	names []string
	named bool
}

// rebound caches rewritten queries: the store's queries are a few hundred
// constant strings, and the dynamic ones (IN lists) differ only in length.
var rebound sync.Map // string -> bound

// rebind rewrites query's placeholders, leaving string literals, quoted
// identifiers and comments alone. A name used twice is one parameter.
func rebind(query string) bound {
	if b, ok := rebound.Load(query); ok {
		return b.(bound)
	}
	var out strings.Builder
	out.Grow(len(query) + 16)
	var b bound
	index := map[string]int{}
	positional := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 { // unterminated: PostgreSQL will say so
				out.WriteString(query[i:])
				i = len(query)
				continue
			}
			out.WriteString(query[i : i+end+2])
			i += end + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query) - i
			}
			out.WriteString(query[i : i+end])
			i += end - 1
		case c == '?':
			positional++
			out.WriteString("$" + strconv.Itoa(positional))
		case c == '@' && i+1 < len(query) && isNameByte(query[i+1]):
			j := i + 1
			for j < len(query) && isNameByte(query[j]) {
				j++
			}
			name := query[i+1 : j]
			n, ok := index[name]
			if !ok {
				b.names = append(b.names, name)
				n = len(b.names)
				index[name] = n
			}
			out.WriteString("$" + strconv.Itoa(n))
			i = j - 1
		default:
			out.WriteByte(c)
		}
	}
	b.query, b.named = out.String(), len(b.names) > 0
	rebound.Store(query, b)
	return b
}

func isNameByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// order puts named arguments in the order of the rewritten query's
// parameters; positional ones stay as they are.
func (b bound) order(args []driver.NamedValue) ([]driver.NamedValue, error) {
	if !b.named {
		return args, nil
	}
	byName := make(map[string]driver.NamedValue, len(args))
	for _, a := range args {
		if a.Name == "" {
			return nil, fmt.Errorf("query mixes named and positional parameters: name them all")
		}
		byName[a.Name] = a
	}
	out := make([]driver.NamedValue, len(b.names))
	for i, name := range b.names {
		a, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("query names @%s but no argument has that name", name)
		}
		a.Ordinal, a.Name = i+1, ""
		out[i] = a
	}
	return out, nil
}
