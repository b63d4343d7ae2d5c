#!/bin/sh
# Run once by compose (service minio-init) after MinIO is healthy; safe to run again.
# Creates the media bucket and the services' own access key, allowed on that bucket only,
# so the root credentials never reach the services. Shell builtins only besides mc: the
# mc image is minimal.
set -eu

mc alias set hotline http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing "hotline/$S3_BUCKET"

printf '%s\n' '{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow",
   "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
   "Resource": ["arn:aws:s3:::'"$S3_BUCKET"'"]},
  {"Effect": "Allow",
   "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject",
              "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
   "Resource": ["arn:aws:s3:::'"$S3_BUCKET"'/*"]}]}' > /tmp/hotline-media.json
mc admin policy create hotline hotline-media /tmp/hotline-media.json

# Adding an existing user sets its secret again: this is also how S3_SECRET_KEY is rotated.
mc admin user add hotline "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
# MinIO answers an error when the policy is already attached, so check the outcome instead.
mc admin policy attach hotline hotline-media --user "$S3_ACCESS_KEY" || true
info=$(mc admin user info hotline "$S3_ACCESS_KEY")
case "$info" in
  *hotline-media*) echo "bucket $S3_BUCKET ready for $S3_ACCESS_KEY" ;;
  *) echo "policy hotline-media is not attached to $S3_ACCESS_KEY" >&2; exit 1 ;;
esac
