output "bucket_id" {
  description = "Name of the primary bucket."
  value       = aws_s3_bucket.primary.id
}

output "bucket_arn" {
  description = "ARN of the primary bucket."
  value       = aws_s3_bucket.primary.arn
}

output "replica_bucket_id" {
  description = "Name of the replica bucket (replica Region)."
  value       = aws_s3_bucket.replica.id
}

output "replica_bucket_arn" {
  description = "ARN of the replica bucket (replica Region)."
  value       = aws_s3_bucket.replica.arn
}

output "replication_role_arn" {
  description = "ARN of the IAM role S3 uses to replicate between the two buckets."
  value       = aws_iam_role.replication.arn
}
