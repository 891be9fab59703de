# A private, encrypted, versioned S3 bucket and its replica in a second Region. Every setting below
# applies to both buckets; the replica side uses the aws.replica provider.

data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id

  # Server access logs of other buckets land under s3/<source-bucket>/. A bucket given no log
  # target logs to itself under self-access-logs/: that is only meant for the access-log bucket,
  # which needs logging too. AWS discourages self-logging because every delivery causes a further
  # log record: a small steady trickle, expired by the lifecycle rule. Those self-logs are not
  # replicated, so the trickle never bounces between the two Regions.
  primary_self_logging = var.access_log_bucket_id == null
  replica_self_logging = var.replica_access_log_bucket_id == null
  self_log_prefix      = "self-access-logs/"

  primary_log_target = local.primary_self_logging ? var.bucket_name : var.access_log_bucket_id
  primary_log_prefix = local.primary_self_logging ? local.self_log_prefix : "s3/${var.bucket_name}/"
  replica_log_target = local.replica_self_logging ? var.replica_bucket_name : var.replica_access_log_bucket_id
  replica_log_prefix = local.replica_self_logging ? local.self_log_prefix : "s3/${var.replica_bucket_name}/"

  # A bucket that receives logs (from others or from itself) grants the logging service access.
  primary_accepts_logs = var.accept_access_logs || local.primary_self_logging
  replica_accepts_logs = var.accept_access_logs || local.replica_self_logging

  # Log buckets replicate the logs of other buckets (s3/); data buckets replicate everything
  # (an empty prefix matches every object key).
  primary_replication_prefix = local.primary_self_logging ? "s3/" : ""
  replica_replication_prefix = local.replica_self_logging ? "s3/" : ""

  # KMS key ARNs are arn:<partition>:kms:<region>:<account>:key/<id>; the Region scopes
  # kms:ViaService in the replication role.
  primary_region = split(":", var.kms_key_arn)[3]
  replica_region = split(":", var.replica_kms_key_arn)[3]
}

# --- primary bucket ---------------------------------------------------------------------------

resource "aws_s3_bucket" "primary" {
  bucket        = var.bucket_name
  force_destroy = false
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "primary" {
  bucket = aws_s3_bucket.primary.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "primary" {
  bucket                  = aws_s3_bucket.primary.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "primary" {
  bucket = aws_s3_bucket.primary.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "primary" {
  bucket = aws_s3_bucket.primary.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "primary" {
  bucket        = aws_s3_bucket.primary.id
  target_bucket = local.primary_log_target
  target_prefix = local.primary_log_prefix
}

resource "aws_s3_bucket_lifecycle_configuration" "primary" {
  bucket = aws_s3_bucket.primary.id

  rule {
    id     = "retention"
    status = "Enabled"

    # An empty prefix selects every object; an empty filter {} does the same but makes some
    # AWS provider releases warn.
    filter {
      prefix = ""
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    # Expiration takes either Days or ExpiredObjectDeleteMarker, never both. With Days, S3 also
    # removes expired delete markers once they are old enough; without it, they go right away.
    dynamic "expiration" {
      for_each = var.current_version_expiration_days == null ? [] : [var.current_version_expiration_days]

      content {
        days = expiration.value
      }
    }

    dynamic "expiration" {
      for_each = var.current_version_expiration_days == null ? ["delete-markers"] : []

      content {
        expired_object_delete_marker = true
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.primary]
}

resource "aws_s3_bucket_notification" "primary" {
  bucket      = aws_s3_bucket.primary.id
  eventbridge = true
}

# --- replica bucket (second Region) -----------------------------------------------------------

resource "aws_s3_bucket" "replica" {
  provider = aws.replica

  bucket        = var.replica_bucket_name
  force_destroy = false
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "replica" {
  provider = aws.replica
  bucket   = aws_s3_bucket.replica.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "replica" {
  provider                = aws.replica
  bucket                  = aws_s3_bucket.replica.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "replica" {
  provider = aws.replica
  bucket   = aws_s3_bucket.replica.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "replica" {
  provider = aws.replica
  bucket   = aws_s3_bucket.replica.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.replica_kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "replica" {
  provider      = aws.replica
  bucket        = aws_s3_bucket.replica.id
  target_bucket = local.replica_log_target
  target_prefix = local.replica_log_prefix
}

resource "aws_s3_bucket_lifecycle_configuration" "replica" {
  provider = aws.replica
  bucket   = aws_s3_bucket.replica.id

  rule {
    id     = "retention"
    status = "Enabled"

    # An empty prefix selects every object; an empty filter {} does the same but makes some
    # AWS provider releases warn.
    filter {
      prefix = ""
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    # Expiration takes either Days or ExpiredObjectDeleteMarker, never both. With Days, S3 also
    # removes expired delete markers once they are old enough; without it, they go right away.
    dynamic "expiration" {
      for_each = var.current_version_expiration_days == null ? [] : [var.current_version_expiration_days]

      content {
        days = expiration.value
      }
    }

    dynamic "expiration" {
      for_each = var.current_version_expiration_days == null ? ["delete-markers"] : []

      content {
        expired_object_delete_marker = true
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.replica]
}

resource "aws_s3_bucket_notification" "replica" {
  provider    = aws.replica
  bucket      = aws_s3_bucket.replica.id
  eventbridge = true
}
