package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"k8s.io/pod-security-admission/policy"
)

var expectRe = regexp.MustCompile(`(?m)^# expect: (.+?)\s*$`)

func newEvaluator(t *testing.T) policy.Evaluator {
	t.Helper()
	e, err := policy.NewEvaluator(policy.DefaultChecks())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestCompliantFixture(t *testing.T) {
	res, err := CheckFile(newEvaluator(t), "fixtures/compliant.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if res.Templates != 2 {
		t.Errorf("checked %d pod templates, want 2 (Deployment + CronJob)", res.Templates)
	}
	for _, v := range res.Violations {
		t.Errorf("unexpected violation: %s", v)
	}
}

// Each negative fixture must break exactly one restricted check, and that
// check's reason must contain the fixture's "# expect:" substring.
func TestViolationFixtures(t *testing.T) {
	files, err := filepath.Glob("fixtures/violations/*.yaml")
	if err != nil || len(files) < 4 {
		t.Fatalf("found %d violation fixtures (err %v), want at least 4", len(files), err)
	}
	e := newEvaluator(t)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m := expectRe.FindSubmatch(data)
			if m == nil {
				t.Fatalf("%s has no '# expect: <reason>' line", f)
			}
			want := string(m[1])
			res, err := CheckFile(e, f)
			if err != nil {
				t.Fatal(err)
			}
			if res.Templates != 1 {
				t.Errorf("checked %d pod templates, want 1", res.Templates)
			}
			if len(res.Violations) != 1 {
				t.Fatalf("got %d violations, want exactly 1: %v", len(res.Violations), res.Violations)
			}
			if got := res.Violations[0].Reason; !strings.Contains(got, want) {
				t.Errorf("reason %q does not contain %q", got, want)
			}
		})
	}
}

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("kind: Deployment\nspec: [unclosed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want int
		out  string
	}{
		{"compliant", []string{"fixtures/compliant.yaml"}, 0, "checked 2 pod templates in 1 files, 0 violations"},
		{"violations dir", []string{"fixtures/violations"}, 1, "Deployment/fixtures/run-as-root: runAsUser=0:"},
		{"expect-violation ok", []string{"-expect-violation", "fixtures/violations"}, 0, ""},
		{"expect-violation on compliant", []string{"-expect-violation", "fixtures/compliant.yaml"}, 1,
			"fixtures/compliant.yaml: expected a restricted violation, found none"},
		{"missing file", []string{"fixtures/does-not-exist.yaml"}, 2, ""},
		{"parse error", []string{bad}, 2, ""},
		{"no args", nil, 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if got := run(c.args, &out, &errOut); got != c.want {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", got, c.want, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), c.out) {
				t.Errorf("stdout %q does not contain %q", out.String(), c.out)
			}
		})
	}
}
