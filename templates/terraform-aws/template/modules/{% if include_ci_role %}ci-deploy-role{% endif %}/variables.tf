variable "role_name" {
  description = "Name of the IAM role GitHub Actions assumes (1-64 characters)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "The role_name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "github_owner" {
  description = "GitHub user or organization that owns the repository whose workflows may assume the role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}$", var.github_owner))
    error_message = "The github_owner must be a GitHub user or organization name (letters, digits and hyphens, at most 39 characters)."
  }
}

variable "github_repository_name" {
  description = "Name of the repository (without the owner) whose workflows may assume the role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,100}$", var.github_repository_name)) && !contains([".", ".."], var.github_repository_name)
    error_message = "The github_repository_name must be 1-100 letters, digits, '.', '_' or '-', and not '.' or '..'."
  }
}

variable "github_environment" {
  description = "GitHub deployment environment whose jobs may assume the role; the trust policy pins the OIDC sub claim to repo:<owner>/<repository>:environment:<name>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", var.github_environment))
    error_message = "The github_environment must be 1-63 characters of letters, digits, '.', '_' and '-', starting with a letter or digit."
  }
}

variable "create_oidc_provider" {
  description = "Create the account's IAM OIDC provider for token.actions.githubusercontent.com. Set false when the account already has one (IAM allows one per URL); it is then looked up."
  type        = bool
  default     = true
}

variable "bucket_arns" {
  description = "ARNs of the S3 buckets the role may list and read/write objects in."
  type        = list(string)

  validation {
    condition     = length(var.bucket_arns) > 0 && alltrue([for arn in var.bucket_arns : can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", arn))])
    error_message = "The bucket_arns must hold at least one bucket ARN (arn:<partition>:s3:::<bucket>), without wildcards or object paths."
  }
}

variable "kms_key_arns" {
  description = "ARNs of the KMS keys that encrypt those buckets; the role may use them only through S3."
  type        = list(string)

  validation {
    condition     = length(var.kms_key_arns) > 0 && alltrue([for arn in var.kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", arn))])
    error_message = "The kms_key_arns must hold at least one KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), without wildcards."
  }
}

variable "max_session_duration" {
  description = "Maximum session length, in seconds, of the role (900-3600: at most one hour)."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 900 && var.max_session_duration <= 3600 && floor(var.max_session_duration) == var.max_session_duration
    error_message = "The max_session_duration must be a whole number of seconds between 900 and 3600."
  }
}

variable "permissions_boundary_arn" {
  description = "Optional ARN of a managed policy used as the role's permissions boundary."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null ? true : can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.permissions_boundary_arn))
    error_message = "The permissions_boundary_arn must be null or an IAM policy ARN."
  }
}

variable "tags" {
  description = "Tags added to the role and the OIDC provider (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}
