package proxy

import (
	"strconv"
	"strings"
	"time"
)

// httpAPIV1Event translates a request matched to an HTTP API route configured for payload
// format 1.0: the REST shape plus "version": "1.0". [AWS-doc http-api-develop-integrations-lambda]
// Differences from REST, from the AWS doc example: requestContext.resourceId is null,
// requestId is the HTTP API's short id (also extendedRequestId), binary bodies follow the
// HTTP API content-type rule, and header names are lower-cased as on every HTTP API
// [Unverified for payload 1.0]. resource and resourcePath are the route's path, or "$default"
// for the $default route [Unverified]. requestContext.path includes "/{stage}" for a named
// stage and is the plain path on $default [kumo#871].
func httpAPIV1Event(req *request, m Match, d *deployment, ids requestIDs, now time.Time) *restEvent {
	e := restAPIEvent(req, m, d, ids, now)
	e.Version = "1.0"
	resource := m.Route.Path
	if m.Route.Key == "$default" || resource == "" {
		resource = "$default"
	}
	e.Resource = resource
	e.PathParameters = httpPathParameters(m.PathParams)
	rc := &e.RequestContext
	rc.ResourcePath = resource
	rc.ResourceID = nil
	rc.DeploymentID = ""
	rc.ExtendedRequestID = ids.RequestID
	rc.Path = httpRawPath(d.Stage, req.Path)
	e.Headers, e.MultiValueHeaders = lowerHeaderMaps(e.Headers, e.MultiValueHeaders, req)
	e.Body, e.IsBase64Encoded = httpBody(req)
	return e
}

// lowerHeaderMaps re-keys payload 1.0 header maps the HTTP API way: lower-case names, and the
// gateway's content-length added. The Cookie header stays a header (payload 1.0 has no
// cookies field). [Unverified]
func lowerHeaderMaps(single map[string]string, multi map[string][]string, req *request) (map[string]string, map[string][]string) {
	s := make(map[string]string, len(single)+1)
	m := make(map[string][]string, len(multi)+1)
	for k, v := range single {
		s[strings.ToLower(k)] = v
	}
	for k, v := range multi {
		m[strings.ToLower(k)] = v
	}
	cl := strconv.Itoa(len(req.Body))
	s["content-length"], m["content-length"] = cl, []string{cl}
	return s, m
}
