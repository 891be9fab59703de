# Two-way cross-Region replication between the primary and the replica bucket. Each side copies
# its new objects to the other; S3 does not replicate objects that are themselves replicas, and
# replica modification sync carries metadata changes made on a replica back. Delete markers are
# not replicated, so a delete in one Region does not hide the object in the other.

data "aws_iam_policy_document" "replication_trust" {
  statement {
    sid     = "S3AssumesReplicationRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "replication" {
  name                 = "${var.name}-s3-replication"
  description          = "S3 replication between ${var.bucket_name} and ${var.replica_bucket_name}"
  assume_role_policy   = data.aws_iam_policy_document.replication_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "replication" {
  statement {
    sid       = "ReadReplicationConfiguration"
    effect    = "Allow"
    actions   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
    resources = [aws_s3_bucket.primary.arn, aws_s3_bucket.replica.arn]
  }

  statement {
    sid    = "ReadSourceObjectVersions"
    effect = "Allow"
    actions = [
      "s3:GetObjectVersionForReplication",
      "s3:GetObjectVersionAcl",
      "s3:GetObjectVersionTagging",
    ]
    resources = ["${aws_s3_bucket.primary.arn}/*", "${aws_s3_bucket.replica.arn}/*"]
  }

  statement {
    sid       = "WriteReplicas"
    effect    = "Allow"
    actions   = ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]
    resources = ["${aws_s3_bucket.primary.arn}/*", "${aws_s3_bucket.replica.arn}/*"]
  }

  # Decrypt source objects and encrypt replicas, only through S3 in the two Regions and only for
  # these buckets (with S3 Bucket Keys the encryption context is the bucket ARN).
  statement {
    sid       = "UseBucketKeysThroughS3Only"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt"]
    resources = [var.kms_key_arn, var.replica_kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.primary_region}.amazonaws.com", "s3.${local.replica_region}.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:s3:arn"
      values = [
        aws_s3_bucket.primary.arn,
        "${aws_s3_bucket.primary.arn}/*",
        aws_s3_bucket.replica.arn,
        "${aws_s3_bucket.replica.arn}/*",
      ]
    }
  }
}

resource "aws_iam_role_policy" "replication" {
  name   = "s3-replication"
  role   = aws_iam_role.replication.id
  policy = data.aws_iam_policy_document.replication.json
}

resource "aws_s3_bucket_replication_configuration" "primary" {
  role   = aws_iam_role.replication.arn
  bucket = aws_s3_bucket.primary.id

  rule {
    id       = "to-replica-region"
    status   = "Enabled"
    priority = 1

    filter {
      prefix = local.primary_replication_prefix
    }

    delete_marker_replication {
      status = "Disabled"
    }

    source_selection_criteria {
      replica_modifications {
        status = "Enabled"
      }
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }

    destination {
      bucket        = aws_s3_bucket.replica.arn
      storage_class = "STANDARD"

      encryption_configuration {
        replica_kms_key_id = var.replica_kms_key_arn
      }
    }
  }

  # Replication requires versioning on both buckets first.
  depends_on = [aws_s3_bucket_versioning.primary, aws_s3_bucket_versioning.replica]
}

resource "aws_s3_bucket_replication_configuration" "replica" {
  provider = aws.replica
  role     = aws_iam_role.replication.arn
  bucket   = aws_s3_bucket.replica.id

  rule {
    id       = "to-primary-region"
    status   = "Enabled"
    priority = 1

    filter {
      prefix = local.replica_replication_prefix
    }

    delete_marker_replication {
      status = "Disabled"
    }

    source_selection_criteria {
      replica_modifications {
        status = "Enabled"
      }
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }

    destination {
      bucket        = aws_s3_bucket.primary.arn
      storage_class = "STANDARD"

      encryption_configuration {
        replica_kms_key_id = var.kms_key_arn
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.primary, aws_s3_bucket_versioning.replica]
}
