{{- define "aima.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "aima.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "aima.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "aima.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "aima.gpuImage" -}}
{{ .Values.gpuImage.repository }}:{{ .Values.gpuImage.tag | default (printf "%s-cuda" .Chart.AppVersion) }}
{{- end -}}

{{/* The environment every AIMA container gets: database, S3, settings. */}}
{{- define "aima.env" -}}
- name: AIMA__DATABASE__URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.existingSecret }}
      key: {{ .Values.database.key }}
- name: AIMA__BLOBS__BACKEND
  value: s3
- name: AIMA__BLOBS__S3__BUCKET
  value: {{ .Values.s3.bucket | quote }}
- name: AIMA__BLOBS__S3__PREFIX
  value: {{ .Values.s3.prefix | quote }}
- name: AIMA__BLOBS__S3__ENDPOINT
  value: {{ .Values.s3.endpoint | quote }}
- name: AIMA__BLOBS__S3__REGION
  value: {{ .Values.s3.region | quote }}
- name: AIMA__BLOBS__S3__PATH_STYLE
  value: {{ .Values.s3.pathStyle | quote }}
- name: AIMA__BLOBS__S3__ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ .Values.s3.existingSecret }}
      key: access-key-id
- name: AIMA__BLOBS__S3__SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.s3.existingSecret }}
      key: secret-access-key
- name: AIMA__MODELS__DIR
  value: /var/lib/aima/models
- name: AIMA_CONFIG
  value: /nonexistent
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Volumes and the model pull every AIMA pod has. */}}
{{- define "aima.volumes" -}}
- name: models
{{- if .Values.models.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.models.existingClaim }}
{{- else }}
  emptyDir: {}
{{- end }}
- name: data
  emptyDir: {}
{{- end -}}

{{- define "aima.mounts" -}}
- name: models
  mountPath: /var/lib/aima/models
- name: data
  mountPath: /var/lib/aima/data
{{- end -}}

{{- define "aima.securityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
{{- end -}}
