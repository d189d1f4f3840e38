#!/bin/sh
# Copies the API Gateway fixtures from the aws-lambda-go module in the Go module cache.
set -eu
cd "$(dirname "$0")"
src="$(go list -m -f '{{.Dir}}' github.com/aws/aws-lambda-go)/events/testdata"
for f in apigw-request.json apigw-restapi-openapi-request.json apigw-response.json \
	apigw-v2-request-no-authorizer.json apigw-v2-request-iam.json \
	apigw-v2-request-jwt-authorizer.json apigw-v2-request-lambda-authorizer.json; do
	cp "$src/$f" . && chmod 644 "$f"
done
