// Prometheus's own PromQL parser (github.com/prometheus/prometheus/promql/parser, pinned in go.mod to
// the release the tests run against) as a small program, so that registry validation checks an
// [[analysis.checks]] query exactly as Prometheus will, offline.
//
// stdin:  a JSON array of queries, ["sum(rate(x[5m]))", "rate(x)"]
// stdout: a JSON array, one result per query, in order:
//
//	{"ok":true,"type":"vector"}                         (type: scalar, vector, matrix or string)
//	{"ok":false,"error":"1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"}
//
// src/registry/promql.ts builds it with `go build` into ~/.cache/cdk8s-rings/promql/ (outside the
// clone) the first time a registry with checks is validated, and reuses it after.
package main

import (
	"encoding/json"
	"os"

	"github.com/prometheus/prometheus/promql/parser"
)

type result struct {
	OK    bool   `json:"ok"`
	Type  string `json:"type,omitempty"`
	Error string `json:"error,omitempty"`
}

func parse(q string) (r result) {
	defer func() {
		if p := recover(); p != nil {
			r = result{Error: "the parser failed on this input"}
		}
	}()
	expr, err := parser.ParseExpr(q)
	if err != nil {
		return result{Error: err.Error()}
	}
	return result{OK: true, Type: string(expr.Type())}
}

func main() {
	var queries []string
	if err := json.NewDecoder(os.Stdin).Decode(&queries); err != nil {
		os.Stderr.WriteString("promql-parse: expected a JSON array of strings on stdin\n")
		os.Exit(2)
	}
	out := make([]result, len(queries))
	for i, q := range queries {
		out[i] = parse(q)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Exit(1)
	}
}
