from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "shinchoku.meetings"
    label = "meetings"
    verbose_name = "会議"
