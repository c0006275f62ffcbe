// Command psa-check evaluates the pod templates found in Kubernetes YAML
// manifests against the Pod Security Standards "restricted" level (v1.29),
// using the upstream evaluator from k8s.io/pod-security-admission.
//
// Usage:
//
//	psa-check [-expect-violation] FILE_OR_DIR...
//
// Exit status: 0 = no violations, 1 = violations (or, with -expect-violation,
// a file without any), 2 = read or parse error.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"
)

// Level is the policy every pod template must satisfy.
var Level = api.LevelVersion{Level: api.LevelRestricted, Version: api.MajorMinorVersion(1, 29)}

// Violation is one failed Pod Security check for one pod template.
type Violation struct {
	File, Kind, Namespace, Name string
	Reason, Detail              string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s: %s/%s/%s: %s: %s", v.File, v.Kind, v.Namespace, v.Name, v.Reason, v.Detail)
}

// Result is the outcome of checking one file.
type Result struct {
	File       string
	Templates  int // pod templates evaluated
	Violations []Violation
}

// podTemplate extracts the pod metadata and spec from a workload object.
// ok is false for kinds that carry no pod template.
func podTemplate(kind string, doc []byte) (meta *metav1.ObjectMeta, spec *corev1.PodSpec, ok bool, err error) {
	switch kind {
	case "Pod":
		var o corev1.Pod
		err = yaml.Unmarshal(doc, &o)
		return &o.ObjectMeta, &o.Spec, true, err
	case "Deployment":
		var o appsv1.Deployment
		err = yaml.Unmarshal(doc, &o)
		return &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, true, err
	case "StatefulSet":
		var o appsv1.StatefulSet
		err = yaml.Unmarshal(doc, &o)
		return &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, true, err
	case "DaemonSet":
		var o appsv1.DaemonSet
		err = yaml.Unmarshal(doc, &o)
		return &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, true, err
	case "ReplicaSet":
		var o appsv1.ReplicaSet
		err = yaml.Unmarshal(doc, &o)
		return &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, true, err
	case "Job":
		var o batchv1.Job
		err = yaml.Unmarshal(doc, &o)
		return &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, true, err
	case "CronJob":
		var o batchv1.CronJob
		err = yaml.Unmarshal(doc, &o)
		t := &o.Spec.JobTemplate.Spec.Template
		return &t.ObjectMeta, &t.Spec, true, err
	}
	return nil, nil, false, nil
}

// CheckFile evaluates every pod template in one multi-document YAML file.
func CheckFile(evaluator policy.Evaluator, path string) (Result, error) {
	res := Result{File: path}
	data, err := os.ReadFile(path)
	if err != nil {
		return res, err
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for n := 1; ; n++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return res, fmt.Errorf("%s: document %d: %w", path, n, err)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var head struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return res, fmt.Errorf("%s: document %d: %w", path, n, err)
		}
		meta, spec, ok, err := podTemplate(head.Kind, doc)
		if !ok {
			continue
		}
		if err != nil {
			return res, fmt.Errorf("%s: document %d (%s/%s): %w", path, n, head.Kind, head.Metadata.Name, err)
		}
		res.Templates++
		ns := head.Metadata.Namespace
		if ns == "" {
			ns = "-"
		}
		for _, r := range evaluator.EvaluatePod(Level, meta, spec) {
			if !r.Allowed {
				res.Violations = append(res.Violations, Violation{
					File: path, Kind: head.Kind, Namespace: ns, Name: head.Metadata.Name,
					Reason: r.ForbiddenReason, Detail: r.ForbiddenDetail,
				})
			}
		}
	}
}

// ExpandArgs turns the arguments into a list of files: directories contribute
// their *.yaml files, subfolders included (dist/ has one folder per unit of
// delivery), except kustomization.yaml, in lexical path order.
func ExpandArgs(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		st, err := os.Stat(arg)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, arg)
			continue
		}
		var matches []string
		err = filepath.WalkDir(arg, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && filepath.Ext(p) == ".yaml" && d.Name() != "kustomization.yaml" {
				matches = append(matches, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(matches)
		files = append(files, matches...)
	}
	return files, nil
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("psa-check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	expectViolation := fs.Bool("expect-violation", false,
		"negative-fixture mode: every file must contain at least one restricted violation")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: psa-check [-expect-violation] FILE_OR_DIR...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	files, err := ExpandArgs(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "psa-check: error: %v\n", err)
		return 2
	}
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks())
	if err != nil {
		fmt.Fprintf(stderr, "psa-check: error: creating evaluator: %v\n", err)
		return 2
	}

	templates, violations, failed := 0, 0, false
	for _, f := range files {
		res, err := CheckFile(evaluator, f)
		if err != nil {
			fmt.Fprintf(stderr, "psa-check: error: %v\n", err)
			return 2
		}
		templates += res.Templates
		violations += len(res.Violations)
		for _, v := range res.Violations {
			fmt.Fprintln(stdout, v)
		}
		if *expectViolation && len(res.Violations) == 0 {
			fmt.Fprintf(stdout, "%s: expected a restricted violation, found none\n", f)
			failed = true
		}
	}
	fmt.Fprintf(stdout, "pod-security: checked %d pod templates in %d files, %d violations\n",
		templates, len(files), violations)
	if *expectViolation {
		failed = failed || len(files) == 0
	} else {
		failed = violations > 0
	}
	if failed {
		return 1
	}
	return 0
}
