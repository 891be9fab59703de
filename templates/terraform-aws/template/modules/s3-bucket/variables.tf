variable "name" {
  description = "Short logical name of this bucket pair (3-48 characters); names the S3 replication role <name>-s3-replication."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,46}[a-z0-9]$", var.name))
    error_message = "The name must be 3-48 characters: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "bucket_name" {
  description = "Globally unique name of the primary bucket (3-63 lowercase letters, digits and hyphens; no dots, so TLS virtual-hosted access always works)."
  type        = string

  validation {
    condition = alltrue([
      can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.bucket_name)),
      !anytrue([for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] : startswith(var.bucket_name, prefix)]),
      !anytrue([for suffix in ["-s3alias", "--ol-s3", "--x-s3"] : endswith(var.bucket_name, suffix)]),
    ])
    error_message = "The bucket_name must be 3-63 characters of lowercase letters, digits and hyphens, start and end with a letter or digit, and avoid the prefixes and suffixes S3 reserves (xn--, sthree-, amzn-s3-demo-, -s3alias, --ol-s3, --x-s3)."
  }
}

variable "replica_bucket_name" {
  description = "Globally unique name of the replica bucket in the replica Region (same rules as bucket_name)."
  type        = string

  validation {
    condition = alltrue([
      can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.replica_bucket_name)),
      !anytrue([for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] : startswith(var.replica_bucket_name, prefix)]),
      !anytrue([for suffix in ["-s3alias", "--ol-s3", "--x-s3"] : endswith(var.replica_bucket_name, suffix)]),
    ])
    error_message = "The replica_bucket_name must be 3-63 characters of lowercase letters, digits and hyphens, start and end with a letter or digit, and avoid the prefixes and suffixes S3 reserves (xn--, sthree-, amzn-s3-demo-, -s3alias, --ol-s3, --x-s3)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key, in the primary Region, that encrypts the primary bucket (SSE-KMS)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "The kms_key_arn must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "replica_kms_key_arn" {
  description = "ARN of the customer managed KMS key, in the replica Region, that encrypts the replica bucket and the replicated objects."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.replica_kms_key_arn))
    error_message = "The replica_kms_key_arn must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "access_log_bucket_id" {
  description = "Name of the bucket, in the primary Region, that receives the primary bucket's S3 server access logs. Null makes this bucket log to itself (use it only for the access-log bucket itself)."
  type        = string
  default     = null
}

variable "replica_access_log_bucket_id" {
  description = "Name of the bucket, in the replica Region, that receives the replica bucket's S3 server access logs. Null makes the replica log to itself (use it only for the access-log bucket itself)."
  type        = string
  default     = null
}

variable "accept_access_logs" {
  description = "Grant the S3 logging service of this account write access under s3/ in both buckets, so other buckets can deliver server access logs here."
  type        = bool
  default     = false
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent object versions are permanently deleted (7-3650)."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 7 && var.noncurrent_version_expiration_days <= 3650 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "The noncurrent_version_expiration_days must be a whole number between 7 and 3650."
  }
}

variable "current_version_expiration_days" {
  description = "Days after which current object versions expire (they become noncurrent, then follow noncurrent_version_expiration_days). Null keeps current versions until deleted; set it for log buckets."
  type        = number
  default     = null

  validation {
    condition     = var.current_version_expiration_days == null ? true : (var.current_version_expiration_days >= 1 && var.current_version_expiration_days <= 3650 && floor(var.current_version_expiration_days) == var.current_version_expiration_days)
    error_message = "The current_version_expiration_days must be null or a whole number between 1 and 3650."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which incomplete multipart uploads are aborted and their parts deleted (1-30)."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1 && var.abort_incomplete_multipart_upload_days <= 30 && floor(var.abort_incomplete_multipart_upload_days) == var.abort_incomplete_multipart_upload_days
    error_message = "The abort_incomplete_multipart_upload_days must be a whole number between 1 and 30."
  }
}

variable "tags" {
  description = "Tags added to the buckets and the replication role (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
