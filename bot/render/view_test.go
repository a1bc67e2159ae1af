package render

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestViewRoundTrip(t *testing.T) {
	for _, v := range []View{{}, {Section: 3}, {Section: 11, Page: 2}, {Section: 999999, Page: 999999}} {
		got, err := ParseView(v.String())
		require.NoError(t, err, v.String())
		assert.Equal(t, v, got)
	}
	assert.Equal(t, "3.0", View{Section: 3}.String())
}

func TestParseViewRejectsJunk(t *testing.T) {
	for _, s := range []string{"", ".", "3", "3.", ".0", "-1.0", "+1.0", "1.-0", "1.0.0", " 1.0", "1.0 ", "01.0", "1.00",
		"1e3.0", "0x1.0", "1,0", "1000000.0", "99999999999999999999.0", "١.٠", "a.b", "3.0\x00", "3:0"} {
		_, err := ParseView(s)
		assert.Error(t, err, "%q", s)
	}
}

func FuzzParseView(f *testing.F) {
	for _, s := range []string{"3.0", "0.0", "12.3", "-1.0", "1..0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseView(s)
		if err != nil {
			return
		}
		if v.Section < 0 || v.Page < 0 || v.String() != s {
			t.Fatalf("ParseView(%q) = %+v, which prints as %q", s, v, v.String())
		}
	})
}

func TestTickBlockID(t *testing.T) {
	id := TickBlockID(View{Section: 2, Page: 1}, 4)
	assert.Equal(t, "v:2.1:4", id)
	v, k, err := ParseTickBlockID(id)
	require.NoError(t, err)
	assert.Equal(t, View{Section: 2, Page: 1}, v)
	assert.Equal(t, 4, k)
	for _, bad := range []string{"nav", "v:2.1", "v:2.1:", "v:2.1:-1", "v:x.1:0", "v:2.1:999", "w:2.1:0"} {
		_, _, err := ParseTickBlockID(bad)
		assert.Error(t, err, bad)
	}
}
