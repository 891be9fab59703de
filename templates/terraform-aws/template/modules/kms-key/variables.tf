variable "name" {
  description = "Name of the key; the alias becomes alias/<name>. Lowercase letters, digits and hyphens, 3-128 characters."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,126}[a-z0-9]$", var.name))
    error_message = "The name must be 3-128 characters: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "description" {
  description = "Human-readable description stored on the KMS key."
  type        = string

  validation {
    condition     = length(trimspace(var.description)) > 0 && length(var.description) <= 8192
    error_message = "The description must be non-empty and at most 8192 characters."
  }
}

variable "deletion_window_in_days" {
  description = "Waiting period, in days, between scheduling the key for deletion and its deletion (7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30 && floor(var.deletion_window_in_days) == var.deletion_window_in_days
    error_message = "The deletion_window_in_days must be a whole number between 7 and 30."
  }
}

variable "allow_s3_server_access_logging" {
  description = "Let the S3 server access logging service (logging.s3.amazonaws.com) of this account encrypt log objects with the key. Needed when a bucket encrypted with this key receives S3 server access logs."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to the key (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
