package launch_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

func TestErrorfKeepsArgumentsInert(t *testing.T) {
	cases := []struct {
		name string
		err  *launch.Error
		want string
	}{
		{"quoted user text", launch.Errorf(launch.ENOTFOUND, "There is no section %q.", "<!channel> <@U999>"),
			`There is no section "‹!channel› ‹@U999›".`},
		{"a mention in the format stays live", launch.Errorf(launch.EFORBIDDEN, "Only <@%s> can, not %s.", "UBOSS", "<@U999|eve>"),
			"Only <@UBOSS> can, not ‹@U999|eve›."},
		{"a forged id cannot close our mention", launch.Errorf(launch.EFORBIDDEN, "Ask <@%s>.", "U1> <!here"),
			"Ask <@U1› ‹!here>."},
		{"numbers, widths and other types", launch.Errorf(launch.EINVALID, "%03d %v %s %q", 7, []string{"<a>", "b"}, checklist.Verdict("<x>"), errors.New("<y>")),
			`007 [‹a› b] ‹x› "‹y›"`},
		{"no arguments", launch.Errorf(launch.ECONFLICT, "Use `role \"<Role Name>\" @user`."),
			"Use `role \"<Role Name>\" @user`."},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, tc.err.Message, tc.name)
	}
}
