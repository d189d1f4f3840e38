package function

import (
	"strconv"
	"strings"
)

// hostPassThrough are the only variables a function inherits from the caller's environment.
// Lambda gives a function a clean environment; lambdalocal does the same, except that PATH and
// HOME pass through so a handler can run local tools and the AWS SDK finds ~/.aws. Anything
// else (credentials included) must be given explicitly with WithEnv.
var hostPassThrough = []string{"PATH", "HOME"}

// environ returns a function process's environment, as Lambda sets it for a provided.al2023
// function, in a fixed order: the host's PATH and HOME, Lambda's variables, the user's
// variables (which override earlier ones of the same name), and last AWS_LAMBDA_RUNTIME_API,
// which nothing overrides.
func environ(o options, runtimeAPI, taskRoot, logStream string, lookup func(string) (string, bool)) []string {
	var env []string
	for _, k := range hostPassThrough {
		if v, ok := lookup(k); ok {
			env = append(env, k+"="+v)
		}
	}
	env = append(env,
		"AWS_LAMBDA_FUNCTION_NAME="+o.name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(o.memoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/"+o.name,
		"AWS_LAMBDA_LOG_STREAM_NAME="+logStream,
		"AWS_REGION="+o.region,
		"AWS_DEFAULT_REGION="+o.region,
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"_HANDLER=bootstrap",
		"LAMBDA_TASK_ROOT="+taskRoot,
		"LAMBDA_RUNTIME_DIR="+taskRoot,
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
	)
	env = append(env, o.env...)
	env = dedupe(env)
	return append(env, "AWS_LAMBDA_RUNTIME_API="+runtimeAPI)
}

// dedupe keeps the last entry of each name, at the position of the first.
func dedupe(env []string) []string {
	index := map[string]int{}
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if k == "AWS_LAMBDA_RUNTIME_API" {
			continue
		}
		if i, ok := index[k]; ok {
			out[i] = kv
			continue
		}
		index[k] = len(out)
		out = append(out, kv)
	}
	return out
}

// functionARN is the ARN the runtime receives in Lambda-Runtime-Invoked-Function-Arn, with the
// account id the RIE uses.
func functionARN(o options) string {
	return "arn:aws:lambda:" + o.region + ":012345678912:function:" + o.name
}
