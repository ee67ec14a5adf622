from django.apps import AppConfig


class CarersConfig(AppConfig):
    name = "carers"
    verbose_name = "Carers and assessments"
